/** Longest server-requested wait honoured; a Retry-After beyond it is treated as this long. */
export const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;

export interface RetryDelayOptions {
  /** Attempts made so far (1 after the first failure). */
  attempt: number;
  baseMs: number;
  maxMs: number;
  /** The platform's Retry-After, which wins over our own backoff. */
  retryAfterMs?: number;
  /** In [0, 1); injected so tests are deterministic. */
  random?: number;
}

/**
 * Exponential backoff `base × 2^(attempt-1)` capped at `maxMs`, with up to 25 % jitter taken off
 * so many messages failing together do not retry in lockstep. A server's Retry-After is obeyed
 * as given (up to an hour), since retrying earlier only earns another 429.
 */
export function computeRetryDelay(options: RetryDelayOptions): number {
  if (options.retryAfterMs !== undefined) {
    return Math.min(Math.max(0, options.retryAfterMs), MAX_RETRY_AFTER_MS);
  }
  const exponent = Math.max(0, options.attempt - 1);
  const backoff = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(exponent, 30));
  const random = options.random ?? Math.random();
  return Math.round(backoff * (1 - 0.25 * random));
}
