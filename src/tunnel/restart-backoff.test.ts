import { describe, expect, it } from 'vitest';
import { DEFAULT_RESTART_BACKOFF, restartDelayMs } from './restart-backoff.js';

describe('restartDelayMs', () => {
  it.each([
    [1, 1000],
    [2, 2000],
    [3, 4000],
    [5, 16_000],
    [6, 30_000],
    [7, 30_000],
    [1000, 30_000],
    [0, 1000],
  ])('attempt %i waits %i ms with the default backoff', (attempt, expected) => {
    expect(restartDelayMs(attempt, DEFAULT_RESTART_BACKOFF)).toBe(expected);
  });

  it('caps at maxMs with a small initial delay', () => {
    const backoff = { initialMs: 50, maxMs: 150 };
    expect([1, 2, 3, 4].map((attempt) => restartDelayMs(attempt, backoff))).toEqual([
      50, 100, 150, 150,
    ]);
  });
});
