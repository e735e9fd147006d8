import { describe, expect, it } from 'vitest';
import { splitText } from './split-text.js';

describe('splitText', () => {
  it('returns a short text unchanged as one part', () => {
    expect(splitText('hello world', 4096)).toEqual(['hello world']);
  });

  it('keeps an empty text as one empty part', () => {
    expect(splitText('', 10)).toEqual(['']);
  });

  it('cuts at the last whitespace inside the limit', () => {
    expect(splitText('aaaa bbbb cccc', 10)).toEqual(['aaaa bbbb', 'cccc']);
  });

  it('cuts a single long word hard at the limit', () => {
    expect(splitText('x'.repeat(25), 10)).toEqual(['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(5)]);
  });

  it('never separates the halves of a surrogate pair', () => {
    const text = 'a'.repeat(9) + '\u{1F600}' + 'b'.repeat(5);
    const parts = splitText(text, 10);
    expect(parts).toEqual(['a'.repeat(9), '\u{1F600}' + 'b'.repeat(5)]);
    expect(parts.join('')).toBe(text);
  });

  it('splits a 10 000-character reply into parts of at most 4096 that keep every word', () => {
    const words = Array.from({ length: 2000 }, (_, i) => `w${i % 10}xx`);
    const text = words.join(' ');
    const parts = splitText(text, 4096);
    expect(parts.length).toBe(3);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(4096);
    expect(parts.join(' ')).toBe(text);
  });
});
