import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from './retry-after.js';

describe('parseRetryAfter', () => {
  const now = Date.parse('2024-05-01T12:00:00Z');
  const cases: Array<{ label: string; value: string | undefined; expected: number | undefined }> = [
    { label: 'delay seconds', value: '3', expected: 3000 },
    { label: 'zero seconds', value: '0', expected: 0 },
    { label: 'seconds with spaces', value: ' 12 ', expected: 12000 },
    {
      label: 'an HTTP-date in the future',
      value: 'Wed, 01 May 2024 12:00:30 GMT',
      expected: 30000,
    },
    { label: 'an HTTP-date in the past', value: 'Wed, 01 May 2024 11:00:00 GMT', expected: 0 },
    { label: 'a missing header', value: undefined, expected: undefined },
    { label: 'a negative number', value: '-5', expected: undefined },
    { label: 'a fraction', value: '1.5', expected: undefined },
    { label: 'garbage', value: 'soon', expected: undefined },
    { label: 'an empty value', value: '', expected: undefined },
  ];

  it.each(cases)('returns $expected for $label', ({ value, expected }) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});
