import { describe, expect, it } from 'vitest';
import { timeOrderedUuid } from './time-ordered-uuid.js';

describe('timeOrderedUuid', () => {
  it('is a version 7 UUID carrying the millisecond time', () => {
    const id = timeOrderedUuid(Date.UTC(2025, 0, 2, 3, 4, 5, 6));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(Date.UTC(2025, 0, 2, 3, 4, 5, 6));
  });

  it('sorts by time and stays unique within one millisecond', () => {
    const same = Array.from({ length: 1000 }, () => timeOrderedUuid(1_700_000_000_000));
    expect(new Set(same).size).toBe(1000);
    expect(timeOrderedUuid(1_700_000_000_001) > timeOrderedUuid(1_700_000_000_000)).toBe(true);
    // Zero-padded, so string order is time order across a change in the number of hex digits.
    expect(timeOrderedUuid(0x10_0000_0000) > timeOrderedUuid(0xf_ffff_ffff)).toBe(true);
  });

  it('writes the time as toString(16) does, zero-padded to twelve digits', () => {
    const times = [0, 1, 0xff, 0x100, 0xff_ffff, 0x100_0000, 0x100_0001, 2 ** 31, 2 ** 32 + 5];
    for (let i = 0; i < 500; i += 1) times.push(Math.floor(Math.abs(Math.sin(i)) * 2 ** 48));
    times.push(1_764_864_000_000, 2 ** 48 - 1);
    for (const time of times) {
      expect(timeOrderedUuid(time).replace('-', '').slice(0, 12)).toBe(
        time.toString(16).padStart(12, '0'),
      );
    }
  });

  it("carries each call's own time when calls alternate between milliseconds", () => {
    const times = [1_700_000_000_000, 1_700_000_000_005, 1_700_000_000_000, 0, 2 ** 48 - 1];
    for (const time of times) {
      const id = timeOrderedUuid(time);
      expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(time);
    }
  });
});
