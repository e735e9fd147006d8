import { describe, expect, it } from 'vitest';
import { GatewayError } from '../errors.js';
import { hasTokenParam, rejectTokenInQuery, verifyPairedToken } from './bearer.js';
import { createPairedTokenStore, hashPairedToken } from './paired-tokens.js';

const TOKEN = `gth_${'a1'.repeat(32)}`;

describe('rejectTokenInQuery', () => {
  it.each([
    { query: { token: 'x' }, refused: true },
    { query: { access_token: 'x' }, refused: true },
    { query: { auth: '' }, refused: true },
    { query: { api_key: 'x' }, refused: true },
    { query: { Token: 'x' }, refused: true },
    { query: { ACCESS_TOKEN: 'x' }, refused: true },
    { query: { session: 'x', token: ['a', 'b'] }, refused: true },
    { query: { session: 'x' }, refused: false },
    { query: { tokens: 'x' }, refused: false },
    { query: {}, refused: false },
    { query: undefined, refused: false },
    { query: null, refused: false },
  ])('query $query refused: $refused', ({ query, refused }) => {
    if (refused) {
      expect(() => rejectTokenInQuery(query)).toThrow(
        expect.objectContaining({ code: 'AUTH_TOKEN_IN_URL', status: 401 }) as unknown as Error,
      );
    } else {
      expect(() => rejectTokenInQuery(query)).not.toThrow();
    }
  });

  it('never reads the value of the parameter', () => {
    const query = Object.defineProperty({}, 'token', {
      enumerable: true,
      get() {
        throw new Error('value was read');
      },
    });
    expect(() => rejectTokenInQuery(query)).toThrow(GatewayError);
  });
});

describe('hasTokenParam', () => {
  it.each([
    { names: ['token'], found: true },
    { names: ['Token'], found: true },
    { names: ['API_KEY'], found: true },
    { names: ['ticket', 'auth'], found: true },
    { names: ['ticket'], found: false },
    { names: ['tokens', 'apikey'], found: false },
    { names: [], found: false },
  ])('$names → $found', ({ names, found }) => {
    expect(hasTokenParam(names)).toBe(found);
    expect(hasTokenParam(new URLSearchParams(names.map((name) => [name, 'x'])).keys())).toBe(found);
  });
});

describe('verifyPairedToken', () => {
  const tokens = createPairedTokenStore({ hashes: [hashPairedToken(TOKEN)] });

  it('returns the paired principal, all channel scopes and its revocation handle, for a stored token', () => {
    const hash = hashPairedToken(TOKEN);
    expect(verifyPairedToken(TOKEN, tokens)).toEqual({
      id: `paired:${hash.slice(0, 12)}`,
      kind: 'paired',
      scopes: new Set(['channels:api', 'channels:web', 'channels:openai']),
      jti: `paired:${hash}`,
    });
  });

  it('refuses the stored hash itself as a token', () => {
    expect(() => verifyPairedToken(hashPairedToken(TOKEN), tokens)).toThrow(
      expect.objectContaining({ code: 'AUTH_INVALID_TOKEN' }) as unknown as Error,
    );
  });

  it('throws AUTH_INVALID_TOKEN for an unknown token', () => {
    expect(() => verifyPairedToken(`gth_${'9'.repeat(64)}`, tokens)).toThrow(
      expect.objectContaining({ code: 'AUTH_INVALID_TOKEN' }) as unknown as Error,
    );
  });
});
