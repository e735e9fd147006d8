import { describe, expect, it } from 'vitest';
import { KeyCounts } from './key-counts.js';

describe('KeyCounts', () => {
  it('counts per key and drops a key once its count is back to zero', () => {
    const counts = new KeyCounts();
    counts.add('a');
    counts.add('a');
    counts.add('b');
    expect([counts.count('a'), counts.count('b'), counts.count('c'), counts.size]).toEqual([
      2, 1, 0, 2,
    ]);
    counts.remove('a');
    expect([counts.count('a'), counts.size]).toEqual([1, 2]);
    counts.remove('a');
    counts.remove('b');
    expect([counts.count('a'), counts.count('b'), counts.size]).toEqual([0, 0, 0]);
  });

  it('never goes below zero nor keeps a key it never counted', () => {
    const counts = new KeyCounts();
    counts.remove('ghost');
    expect([counts.count('ghost'), counts.size]).toEqual([0, 0]);
    counts.add('ghost');
    expect(counts.count('ghost')).toBe(1);
  });
});
