export type {
  Idempotency,
  IdempotencyClaim,
  IdempotencyRecord,
  LimitDecision,
  RateLimiter,
} from './types.js';
export { RATE_LIMIT_WINDOW_MS, createRateLimiter, retryAfterSecs } from './rate-limiter.js';
export type { RateLimiterOptions } from './rate-limiter.js';
export {
  IDEMPOTENCY_IN_FLIGHT_NAMESPACE,
  IDEMPOTENCY_KEY_MAX_CHARS,
  IDEMPOTENCY_RECORDS_NAMESPACE,
  createIdempotency,
  idempotencyStorageKey,
  parseIdempotencyKey,
} from './idempotency.js';
export type { IdempotencyOptions } from './idempotency.js';
