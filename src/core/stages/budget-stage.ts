import type { Logger } from 'pino';
import { GatewayError } from '../../errors.js';
import type { TokenBudget } from '../../limits/token-budget.js';
import type { NamedStage } from '../types.js';
import type { LimitKeyKind } from './limit-key.js';
import { limitKey, SYNC_CHANNELS } from './limit-key.js';

/** The reply an async sender gets when the budget is used up. */
export const BUDGET_NOTICE = 'The daily message budget is used up; please try again tomorrow.';

export interface BudgetStageOptions {
  budget: TokenBudget;
  key: LimitKeyKind;
  channels?: readonly string[] | undefined;
  logger: Logger;
}

/**
 * `budget`: refuses a turn before the provider is called once the key has used its daily tokens
 * (429 BUDGET_EXCEEDED inline, a notice on async channels), and counts the tokens the provider
 * reports for each turn, streamed or not.
 */
export function budgetStage(options: BudgetStageOptions): NamedStage {
  const { budget, key, logger } = options;
  const channels = options.channels === undefined ? undefined : new Set(options.channels);
  return {
    name: 'budget',
    run: async function enforceBudget(ctx, next) {
      const { message } = ctx.request;
      if (channels !== undefined && !channels.has(message.channel)) return next();
      const subject = limitKey(key, ctx.request);
      const status = await budget.status(subject);
      if (status.exhausted) {
        (ctx.marks ??= {}).limited = 'BUDGET_EXCEEDED';
        if (SYNC_CHANNELS.has(message.channel)) {
          throw new GatewayError('BUDGET_EXCEEDED', { extra: { retry_after: status.resetSecs } });
        }
        ctx.result = { response: BUDGET_NOTICE, model: ctx.agent.model, duplicate: false };
        return;
      }
      try {
        await next();
      } finally {
        // Tokens are spent even when a later step fails: the provider billed them.
        const usage = ctx.usage;
        if (usage !== undefined) {
          await budget
            .spend(subject, usage.inputTokens + usage.outputTokens)
            .catch((error: unknown) => logger.error({ err: error }, 'budget spend failed'));
        }
      }
    },
  };
}
