import type { Logger } from 'pino';
import type { NamedStage } from '../types.js';

/**
 * Writes one audit record per turn: who, which channel, which agent, outcome and duration. Message
 * text is never logged (it may hold personal data); its length is.
 */
export function auditStage(logger: Logger, now: () => number = Date.now): NamedStage {
  const audit = logger.child({ component: 'audit' });
  return {
    name: 'audit',
    run: async function recordAudit(ctx, next) {
      const started = now();
      const { message, principal } = ctx.request;
      const record = {
        principal: principal.id,
        channel: message.channel,
        message_id: message.messageId,
        agent: ctx.agent.name,
        length: message.text.length,
      };
      try {
        await next();
        audit.info(
          {
            ...record,
            outcome: ctx.result?.duplicate ? 'duplicate' : 'ok',
            duration_ms: now() - started,
          },
          'turn',
        );
      } catch (error) {
        const code = error instanceof Error && 'code' in error ? String(error.code) : 'INTERNAL';
        audit.info({ ...record, outcome: 'error', code, duration_ms: now() - started }, 'turn');
        throw error;
      }
    },
  };
}
