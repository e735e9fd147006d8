import { describe, expect, it } from 'vitest';
import { GatewayError } from '../errors.js';
import { parseIdempotencyKey } from './idempotency.js';

describe('parseIdempotencyKey', () => {
  it.each([
    ['absent header', undefined, undefined],
    ['plain key', 'order-42', 'order-42'],
    ['surrounding whitespace trimmed', '  order-42\t', 'order-42'],
    ['one character', 'x', 'x'],
    ['exactly 256 characters', 'k'.repeat(256), 'k'.repeat(256)],
    ['256 characters after trimming', ` ${'k'.repeat(256)} `, 'k'.repeat(256)],
    ['256 non-ASCII characters', 'é'.repeat(256), 'é'.repeat(256)],
    ['256 astral characters (512 UTF-16 units)', '🔑'.repeat(256), '🔑'.repeat(256)],
    ['arbitrary punctuation', '"; DROP TABLE x; --', '"; DROP TABLE x; --'],
  ])('accepts %s', (_name, header, expected) => {
    expect(parseIdempotencyKey(header)).toBe(expected);
  });

  it.each([
    ['empty header', ''],
    ['whitespace only', '   \t '],
    ['257 characters', 'k'.repeat(257)],
    ['257 astral characters', '🔑'.repeat(257)],
  ])('rejects %s with INVALID_HEADER', (_name, header) => {
    let caught: unknown;
    try {
      parseIdempotencyKey(header);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(GatewayError);
    expect(caught).toMatchObject({
      code: 'INVALID_HEADER',
      status: 400,
      message: 'X-Idempotency-Key must be 1–256 characters',
    });
  });
});
