import { describe, expect, it } from 'vitest';
import { labelledChildren } from './labelled-children.js';

describe('labelledChildren', () => {
  it('resolves each combination of label values once and returns the same child after', () => {
    const resolved: string[][] = [];
    const child = labelledChildren((...values: string[]) => {
      resolved.push(values);
      return { values };
    });
    const first = child('openai', 'gpt');
    expect(child('openai', 'gpt')).toBe(first);
    expect(child('openai', 'other')).not.toBe(first);
    expect(resolved).toEqual([
      ['openai', 'gpt'],
      ['openai', 'other'],
    ]);
  });

  it('keeps values apart that would run together when concatenated', () => {
    const child = labelledChildren((...values: string[]) => ({ values }));
    expect(child('ab', 'c')).not.toBe(child('a', 'bc'));
  });
});
