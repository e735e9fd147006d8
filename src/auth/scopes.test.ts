import { describe, expect, it } from 'vitest';
import { hasScope, parseScopes, ScopeError } from './scopes.js';

describe('parseScopes', () => {
  const accepted: Array<[string, string[]]> = [
    ['channels:web,channels:api', ['channels:web', 'channels:api']],
    ['channels:web, channels:api', ['channels:web', 'channels:api']],
    ['channels:web channels:api', ['channels:web', 'channels:api']],
    ['  channels:web  ', ['channels:web']],
    ['a b a', ['a', 'b']],
    ['', []],
  ];
  for (const [input, expected] of accepted) {
    it(`parses ${JSON.stringify(input)}`, () => {
      expect([...parseScopes(input)]).toEqual(expected);
    });
  }

  const rejected = [
    'channels:*',
    'Channels:web',
    'channels;web',
    'channels:',
    ':web',
    'a'.repeat(65),
  ];
  for (const input of rejected) {
    it(`rejects ${JSON.stringify(input.slice(0, 20))}`, () => {
      expect(() => parseScopes(input)).toThrow(ScopeError);
    });
  }
});

describe('hasScope', () => {
  it('is true only for a scope the principal holds', () => {
    const principal = { scopes: new Set(['channels:web']) };
    expect(hasScope(principal, 'channels:web')).toBe(true);
    expect(hasScope(principal, 'channels:api')).toBe(false);
  });
});
