import type { Idempotency } from '../../limits/types.js';
import type { NamedStage } from '../types.js';

/**
 * Replays the answer for a repeated idempotency key instead of calling the agent again. A failed
 * original releases its key so the client's retry is processed.
 */
export function idempotencyStage(idempotency: Idempotency): NamedStage {
  return {
    name: 'idempotency',
    run: async function checkIdempotency(ctx, next) {
      const { idempotencyKey, principal, signal } = ctx.request;
      if (idempotencyKey === undefined) {
        await next();
        return;
      }
      const claim = await idempotency.claim(principal.id, idempotencyKey, signal);
      if (claim.kind === 'duplicate') {
        ctx.result = {
          response: claim.record.response,
          model: claim.record.model,
          duplicate: true,
        };
        return;
      }
      try {
        await next();
      } catch (error) {
        await claim.release();
        throw error;
      }
      if (ctx.result === undefined) {
        await claim.release();
        return;
      }
      await claim.complete({ response: ctx.result.response, model: ctx.result.model });
    },
  };
}
