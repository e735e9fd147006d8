import { describe, expect, it } from 'vitest';
import { isSenderAllowed } from './allowlist.js';

describe('isSenderAllowed', () => {
  const cases: Array<{
    label: string;
    list: Array<string | number>;
    sender: string | number;
    ok: boolean;
  }> = [
    { label: 'an empty list', list: [], sender: '+15551234567', ok: false },
    { label: 'the wildcard', list: ['*'], sender: '+15551234567', ok: true },
    { label: 'a listed number', list: ['+15551234567'], sender: '+15551234567', ok: true },
    { label: 'an unlisted number', list: ['+15551234567'], sender: '+15557654321', ok: false },
    {
      label: 'a number without the plus',
      list: ['+15551234567'],
      sender: '15551234567',
      ok: false,
    },
    { label: 'a numeric id listed as a number', list: [42], sender: '42', ok: true },
    { label: 'a numeric id prefix', list: [42], sender: '421', ok: false },
    { label: 'a user id differing in case', list: ['U123ABC'], sender: 'u123abc', ok: false },
  ];

  it.each(cases)('returns $ok for $label', ({ list, sender, ok }) => {
    expect(isSenderAllowed(list, sender)).toBe(ok);
  });
});
