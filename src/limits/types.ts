import type { CancelSignal } from '../core/cancel-signal.js';

/** A rate-limit decision. Rejected requests do not count against the window. */
export type LimitDecision = { allowed: true } | { allowed: false; retryAfterSecs: number };

/** A sliding-window limiter for one route; `0` per minute means unlimited. */
export interface RateLimiter {
  hit(clientKey: string, now?: number): Promise<LimitDecision>;
}

/** The answer remembered for an idempotency key. */
export interface IdempotencyRecord {
  response: string;
  model: string;
}

/**
 * Result of claiming an idempotency key. `new`: the caller runs the work and must call exactly one
 * of `complete` or `release` (on failure, so a retry is processed). `duplicate`: the original answer,
 * waited for if the original was still running.
 */
export type IdempotencyClaim =
  | {
      kind: 'new';
      complete(record: IdempotencyRecord): Promise<void>;
      release(): Promise<void>;
    }
  | { kind: 'duplicate'; record: IdempotencyRecord };

/** Idempotency keys scoped per principal, so no client can see another's response. */
export interface Idempotency {
  /** Waits (until `signal` aborts) when the same key is in flight; the abort rejects. */
  claim(principalId: string, key: string, signal: CancelSignal): Promise<IdempotencyClaim>;
}
