import { describe, expect, it } from 'vitest';
import { constantTimeEqual } from './constant-time.js';

describe('constantTimeEqual', () => {
  const cases: Array<{ a: string | Buffer; b: string | Buffer; expected: boolean; label: string }> =
    [
      { label: 'equal strings', a: 'secret-value', b: 'secret-value', expected: true },
      { label: 'equal buffers', a: Buffer.from('abc'), b: Buffer.from('abc'), expected: true },
      { label: 'string vs equal buffer', a: 'abc', b: Buffer.from('abc'), expected: true },
      { label: 'two empty strings', a: '', b: '', expected: true },
      { label: 'different same-length strings', a: 'secret-a', b: 'secret-b', expected: false },
      { label: 'prefix of the other', a: 'secret', b: 'secret-longer', expected: false },
      { label: 'empty vs non-empty', a: '', b: 'x', expected: false },
      { label: 'case differs', a: 'Token', b: 'token', expected: false },
      { label: 'unicode vs ascii look-alike', a: 'caf\u00e9', b: 'cafe', expected: false },
    ];

  it.each(cases)('returns $expected for $label', ({ a, b, expected }) => {
    expect(constantTimeEqual(a, b)).toBe(expected);
    expect(constantTimeEqual(b, a)).toBe(expected);
  });
});
