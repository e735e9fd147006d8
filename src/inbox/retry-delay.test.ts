import { describe, expect, it } from 'vitest';
import { computeRetryDelay, MAX_RETRY_AFTER_MS } from './retry-delay.js';

describe('computeRetryDelay', () => {
  const base = { baseMs: 500, maxMs: 30_000, random: 0 };
  const cases: Array<{ label: string; attempt: number; retryAfterMs?: number; expected: number }> =
    [
      { label: 'the first retry waits the base delay', attempt: 1, expected: 500 },
      { label: 'the second retry doubles it', attempt: 2, expected: 1000 },
      { label: 'the fifth retry is base × 16', attempt: 5, expected: 8000 },
      { label: 'a late retry is capped at the maximum', attempt: 12, expected: 30_000 },
      { label: 'a huge attempt count stays capped', attempt: 5000, expected: 30_000 },
      { label: 'Retry-After wins over backoff', attempt: 1, retryAfterMs: 7000, expected: 7000 },
      {
        label: 'Retry-After above our own cap is still honoured',
        attempt: 1,
        retryAfterMs: 120_000,
        expected: 120_000,
      },
      {
        label: 'an absurd Retry-After is bounded',
        attempt: 1,
        retryAfterMs: 10 * MAX_RETRY_AFTER_MS,
        expected: MAX_RETRY_AFTER_MS,
      },
      { label: 'Retry-After zero retries at once', attempt: 3, retryAfterMs: 0, expected: 0 },
    ];

  it.each(cases)('$label', ({ attempt, retryAfterMs, expected }) => {
    expect(computeRetryDelay({ ...base, attempt, retryAfterMs })).toBe(expected);
  });

  it('takes at most a quarter off as jitter', () => {
    expect(computeRetryDelay({ ...base, attempt: 3, random: 0.999 })).toBeGreaterThanOrEqual(1500);
    expect(computeRetryDelay({ ...base, attempt: 3, random: 0.5 })).toBe(1750);
  });
});
