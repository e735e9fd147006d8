import type { StateStore } from '../state/types.js';
import type { LimitDecision, RateLimiter } from './types.js';

/** The reference design counts requests per client over the last minute. */
export const RATE_LIMIT_WINDOW_MS = 60_000;

/** Options of one route's limiter. */
export interface RateLimiterOptions {
  store: StateStore;
  /** Window bucket in the store, one per route (`pair`, `webhook`). */
  bucket: string;
  /** Requests per client key per minute; 0 means unlimited. */
  perMinute: number;
  /** Most client keys tracked (`rate_limit_max_keys`); least recently used forgotten past it. */
  maxKeys: number;
  /** Epoch-milliseconds clock; tests inject a fake one. */
  clock?: () => number;
}

const ALLOWED: LimitDecision = { allowed: true };

/** Creates a sliding-window limiter over the StateStore, so instances can share windows. */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { store, bucket, perMinute, maxKeys } = options;
  const clock = options.clock ?? Date.now;
  if (!Number.isInteger(perMinute) || perMinute < 0) {
    throw new RangeError(`perMinute must be a non-negative integer, got ${perMinute}`);
  }
  return {
    async hit(clientKey: string, now?: number): Promise<LimitDecision> {
      if (perMinute === 0) return ALLOWED;
      const result = await store.slidingWindowHit(bucket, clientKey, {
        limit: perMinute,
        windowMs: RATE_LIMIT_WINDOW_MS,
        maxKeys,
        now: now ?? clock(),
      });
      if (result.allowed) return ALLOWED;
      return { allowed: false, retryAfterSecs: retryAfterSecs(result.retryAfterMs) };
    },
  };
}

/** Whole seconds for `Retry-After` (RFC 9110 §10.2.3): rounded up, never 0, so a retry is not early. */
export function retryAfterSecs(retryAfterMs: number): number {
  return Math.max(1, Math.ceil(retryAfterMs / 1000));
}
