import { isoTimestamp } from '../core/iso-timestamp.js';
import type { StateStore } from '../state/types.js';

/** StateStore namespace of token counts; durable so a restart does not hand out a fresh budget. */
export const BUDGET_NAMESPACE = 'token_budget';

const DAY_MS = 86_400_000;

/** Tokens spent by one key today (UTC) and whether more may be spent. */
export interface BudgetStatus {
  used: number;
  exhausted: boolean;
  /** Seconds until the next UTC day starts (when the budget refills). */
  resetSecs: number;
}

/** A daily token budget per key over the StateStore. */
export interface TokenBudget {
  status(key: string): Promise<BudgetStatus>;
  /** Adds provider-reported tokens to today's count. */
  spend(key: string, tokens: number): Promise<void>;
}

export interface TokenBudgetOptions {
  store: StateStore;
  /** Distinguishes several configured budgets. */
  bucket: string;
  tokensPerDay: number;
  clock?: () => number;
}

/** The UTC day (YYYY-MM-DD) of an epoch-millisecond time. */
export function utcDay(now: number): string {
  return isoTimestamp(now).slice(0, 10);
}

/**
 * Counts per UTC day: the store key carries the day, so a new day starts at zero without a reset
 * job. The first spend of a day creates the key to expire a day after that day ends. Each spend
 * is one atomic add in the store (`incrementBy`: a Lua script on Redis), so concurrent turns on
 * any number of instances sharing the store are all counted.
 */
export function createTokenBudget(options: TokenBudgetOptions): TokenBudget {
  const { store, bucket, tokensPerDay } = options;
  const clock = options.clock ?? Date.now;
  store.declareNamespace(BUDGET_NAMESPACE, { durable: true });

  function storeKey(key: string, now: number): string {
    return `${bucket}:${utcDay(now)}:${key}`;
  }

  async function used(key: string, now: number): Promise<number> {
    const value = await store.get(BUDGET_NAMESPACE, storeKey(key, now));
    const parsed = value === undefined ? 0 : Number.parseInt(value, 10);
    return Number.isFinite(parsed) && parsed > 0 ? parsed : 0;
  }

  return {
    async status(key) {
      const now = clock();
      const spent = await used(key, now);
      const resetSecs = Math.max(1, Math.ceil((DAY_MS - (now % DAY_MS)) / 1000));
      return { used: spent, exhausted: spent >= tokensPerDay, resetSecs };
    },
    async spend(key, tokens) {
      const amount = Math.round(tokens);
      if (!(amount > 0)) return;
      const now = clock();
      const ttl = DAY_MS - (now % DAY_MS) + DAY_MS;
      await store.incrementBy(BUDGET_NAMESPACE, storeKey(key, now), amount, ttl);
    },
  };
}
