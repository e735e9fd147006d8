import { describe, expect, it } from 'vitest';
import { generatePairingCode, PAIRING_CODE_PATTERN } from './pairing-code.js';

describe('generatePairingCode', () => {
  it.each([
    { value: 0, code: '000000' },
    { value: 7, code: '000007' },
    { value: 42_000, code: '042000' },
    { value: 999_999, code: '999999' },
  ])('zero-pads $value to $code', ({ value, code }) => {
    expect(generatePairingCode(() => value)).toBe(code);
  });

  it('asks the random source for the whole range [0, 1000000)', () => {
    const calls: Array<[number, number]> = [];
    generatePairingCode((min, max) => {
      calls.push([min, max]);
      return 5;
    });
    expect(calls).toEqual([[0, 1_000_000]]);
  });

  it.each([-1, 1_000_000, 1.5, Number.NaN])('refuses an out-of-range sample %s', (value) => {
    expect(() => generatePairingCode(() => value)).toThrow(RangeError);
  });

  it('always returns exactly six digits from the real CSPRNG', () => {
    for (let i = 0; i < 10_000; i += 1) {
      expect(generatePairingCode()).toMatch(PAIRING_CODE_PATTERN);
    }
  });

  it('spreads the first digit uniformly (chi-square far below a bound that cannot flake)', () => {
    const samples = 100_000;
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < samples; i += 1) {
      const first = Number(generatePairingCode()[0]);
      counts[first] = (counts[first] ?? 0) + 1;
    }
    const expected = samples / 10;
    const chiSquare = counts.reduce((sum, count) => sum + (count - expected) ** 2 / expected, 0);
    // 9 degrees of freedom: a fair source exceeds 100 with p < 1e-15. A padding bug (no leading
    // zeros) or a modulo bias towards low digits lands in the thousands.
    expect(chiSquare).toBeLessThan(100);
    expect(Math.min(...counts)).toBeGreaterThan(0);
  });
});
