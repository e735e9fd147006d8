import { describe, expect, it } from 'vitest';
import { checkOrigin, selfOriginsFor } from './origin-policy.js';

const selfOrigins = selfOriginsFor('127.0.0.1', 3000);
const allowedOrigins = ['https://chat.example.com'];

describe('checkOrigin', () => {
  const table: Array<[string | undefined, boolean]> = [
    [undefined, true],
    ['https://chat.example.com', true],
    ['https://chat.example.com:443', true],
    ['http://127.0.0.1:3000', true],
    ['http://localhost:3000', true],
    ['null', false],
    ['*', false],
    ['https://*.example.com', false],
    ['https://evil.example.com', false],
    ['https://chat.example.com.evil.io', false],
    ['http://chat.example.com', false],
    ['https://chat.example.com:8443', false],
    ['http://127.0.0.1:3001', false],
    ['http://127.0.0.1:3000/path', false],
    ['https://user@chat.example.com', false],
    ['file://', false],
    ['not a url', false],
    ['', false],
  ];
  for (const [origin, expected] of table) {
    it(`${expected ? 'allows' : 'refuses'} Origin ${JSON.stringify(origin)}`, () => {
      expect(checkOrigin({ origin, allowedOrigins, selfOrigins })).toBe(expected);
    });
  }

  it('never lets a wildcard entry in allowed_origins match anything', () => {
    const check = { origin: 'https://a.example.com', selfOrigins: [] };
    expect(checkOrigin({ ...check, allowedOrigins: ['*'] })).toBe(false);
    expect(checkOrigin({ ...check, allowedOrigins: ['https://*.example.com'] })).toBe(false);
  });
});

describe('selfOriginsFor', () => {
  it('treats localhost and 127.0.0.1 as the same loopback gateway', () => {
    expect(selfOriginsFor('127.0.0.1', 8080)).toEqual([
      'http://127.0.0.1:8080',
      'http://localhost:8080',
      'http://[::1]:8080',
    ]);
  });

  it('uses a configured public host as is', () => {
    expect(selfOriginsFor('gate.example.com', 443)).toEqual(['http://gate.example.com:443']);
  });
});
