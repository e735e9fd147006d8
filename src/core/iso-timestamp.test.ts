import { describe, expect, it } from 'vitest';
import { isoTimestamp } from './iso-timestamp.js';

const SECOND = 1000;
const DAY = 86_400_000;
/** The largest time Date accepts, and the first of year 10000 (whose ISO form is `+010000-…`). */
const MAX_TIME = 8.64e15;
const YEAR_10000 = Date.UTC(10000, 0, 1);

describe('isoTimestamp', () => {
  it.each([
    ['the epoch', 0],
    ['a time of today', Date.UTC(2026, 11, 4, 17, 9, 53, 7)],
    ['the last millisecond of a second', Date.UTC(2026, 11, 4, 17, 9, 53, 999)],
    ['the first millisecond of the next', Date.UTC(2026, 11, 4, 17, 9, 54, 0)],
    ['the last millisecond of a day', Date.UTC(2026, 11, 31, 23, 59, 59, 999)],
    ['the first of a year', Date.UTC(2027, 0, 1)],
    ['a leap day', Date.UTC(2028, 1, 29, 12)],
    ['before the epoch', -1],
    ['a second before the epoch, plus 1 ms', -999],
    ['the first millisecond of year 0000', -62_167_219_200_000],
    ['the last millisecond of year 9999', YEAR_10000 - 1],
    ['year 10000 (six-digit year)', YEAR_10000],
    ['the largest time', MAX_TIME],
    ['the smallest time', -MAX_TIME],
    ['a negative year', -62_198_755_200_001],
    ['a fraction of a millisecond', 1_700_000_000_000.7],
    ['a negative fraction', -0.5],
    ['minus zero', -0],
  ])('matches toISOString for %s', (_name, ms) => {
    expect(isoTimestamp(ms)).toBe(new Date(ms).toISOString());
    // Again, now that the second of `ms` may be the cached one.
    expect(isoTimestamp(ms)).toBe(new Date(ms).toISOString());
  });

  it('matches toISOString for times within, across and far from the cached second', () => {
    const start = Date.UTC(2026, 11, 4, 17, 9, 53, 0);
    const times: number[] = [];
    for (let ms = start - 2 * SECOND; ms < start + 3 * SECOND; ms += 7) times.push(ms, ms + 0.25);
    // Jumps back and forth: a cached second must never leak into another one.
    for (let i = 0; i < 2000; i += 1) {
      times.push(start + Math.floor(Math.sin(i) * 40 * DAY), start + (i % 3) * SECOND + (i % 1000));
    }
    for (const ms of times) expect(isoTimestamp(ms)).toBe(new Date(ms).toISOString());
  });

  it('throws what toISOString throws for an invalid time', () => {
    for (const ms of [Number.NaN, MAX_TIME + 1, Number.POSITIVE_INFINITY]) {
      expect(() => isoTimestamp(ms)).toThrow(RangeError);
    }
  });
});
