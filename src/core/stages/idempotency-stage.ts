import type { Idempotency } from '../../limits/types.js';
import type { NamedStage, TurnContext } from '../types.js';

/**
 * Replays the answer for a repeated idempotency key instead of calling the agent again. A failed
 * original releases its key so the client's retry is processed.
 */
export function idempotencyStage(idempotency: Idempotency): NamedStage {
  return {
    name: 'idempotency',
    run: function checkIdempotency(ctx, next) {
      const { idempotencyKey } = ctx.request;
      // Most turns carry no key: the chain goes on without a wrapper of this stage around it.
      if (idempotencyKey === undefined) return next();
      return runClaimed(idempotency, idempotencyKey, ctx, next);
    },
  };
}

/** The turn under its claimed key: replayed when already answered, recorded when it succeeds. */
async function runClaimed(
  idempotency: Idempotency,
  idempotencyKey: string,
  ctx: TurnContext,
  next: () => Promise<void>,
): Promise<void> {
  const { principal, signal } = ctx.request;
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
}
