import { describe, expect, it } from 'vitest';
import { GatewayError } from '../errors.js';
import {
  authenticatePaired,
  parseBearer,
  rejectTokenInQuery,
  verifyPairedToken,
} from './bearer.js';
import { createPairedTokenStore, hashPairedToken } from './paired-tokens.js';

const TOKEN = `gth_${'a1'.repeat(32)}`;

describe('parseBearer', () => {
  it.each([
    { header: `Bearer ${TOKEN}`, expected: TOKEN },
    { header: `bearer ${TOKEN}`, expected: TOKEN },
    { header: `BEARER ${TOKEN}`, expected: TOKEN },
    { header: `Bearer   ${TOKEN}`, expected: TOKEN },
    { header: 'Bearer abc.def-ghi_jkl~mno+pqr/stu==', expected: 'abc.def-ghi_jkl~mno+pqr/stu==' },
    { header: 'Bearer', expected: undefined },
    { header: 'Bearer ', expected: undefined },
    { header: `Bearer ${TOKEN} extra`, expected: undefined },
    { header: `Bearer ${TOKEN},other`, expected: undefined },
    { header: `Bearer\t${TOKEN}`, expected: undefined },
    { header: `Bearer: ${TOKEN}`, expected: undefined },
    { header: `Basic ${TOKEN}`, expected: undefined },
    { header: `Bearerx ${TOKEN}`, expected: undefined },
    { header: `${TOKEN}`, expected: undefined },
    { header: 'Bearer =abc', expected: undefined },
    { header: 'Bearer ab=c', expected: undefined },
    { header: 'Bearer tök', expected: undefined },
    { header: `Bearer ${'a'.repeat(5000)}`, expected: undefined },
    { header: undefined, expected: undefined },
    { header: [`Bearer ${TOKEN}`], expected: undefined },
  ])('parses $header → $expected', ({ header, expected }) => {
    expect(parseBearer(header)).toBe(expected);
  });
});

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

describe('authenticatePaired', () => {
  const tokens = createPairedTokenStore({ hashes: [hashPairedToken(TOKEN)] });
  const guard = { requirePairing: true, tokens };

  it.each([
    { label: 'valid token', headers: { authorization: `Bearer ${TOKEN}` }, code: undefined },
    { label: 'lower-case scheme', headers: { authorization: `bearer ${TOKEN}` }, code: undefined },
    { label: 'no header', headers: {}, code: 'AUTH_MISSING_TOKEN' },
    { label: 'empty header', headers: { authorization: '' }, code: 'AUTH_MISSING_TOKEN' },
    {
      label: 'Basic scheme',
      headers: { authorization: 'Basic dXNlcjpwYXNz' },
      code: 'AUTH_MISSING_TOKEN',
    },
    { label: 'bare scheme', headers: { authorization: 'Bearer' }, code: 'AUTH_INVALID_TOKEN' },
    {
      label: 'unknown token',
      headers: { authorization: `Bearer gth_${'0'.repeat(64)}` },
      code: 'AUTH_INVALID_TOKEN',
    },
    {
      label: 'the stored hash itself',
      headers: { authorization: `Bearer ${hashPairedToken(TOKEN)}` },
      code: 'AUTH_INVALID_TOKEN',
    },
    {
      label: 'two credentials',
      headers: { authorization: `Bearer ${TOKEN} ${TOKEN}` },
      code: 'AUTH_INVALID_TOKEN',
    },
  ])('$label → $code', ({ headers, code }) => {
    if (code === undefined) {
      const principal = authenticatePaired({ headers }, { guard });
      expect(principal).toEqual({
        id: `paired:${hashPairedToken(TOKEN).slice(0, 12)}`,
        kind: 'paired',
        scopes: new Set(['channels:api', 'channels:web']),
      });
    } else {
      expect(() => authenticatePaired({ headers }, { guard })).toThrow(
        expect.objectContaining({ code, status: 401 }) as unknown as Error,
      );
    }
  });

  it('says how to pair in the 401 message', () => {
    try {
      authenticatePaired({ headers: {} }, { guard });
      expect.unreachable();
    } catch (error) {
      expect((error as GatewayError).message).toMatch(/POST \/pair/);
    }
  });

  it('refuses a token in the URL even alongside a valid header', () => {
    expect(() =>
      authenticatePaired(
        { headers: { authorization: `Bearer ${TOKEN}` }, query: { token: TOKEN } },
        { guard },
      ),
    ).toThrow(expect.objectContaining({ code: 'AUTH_TOKEN_IN_URL' }) as unknown as Error);
  });

  it('returns the anonymous principal when pairing is not required', () => {
    const principal = authenticatePaired(
      { headers: {} },
      { guard: { requirePairing: false, tokens } },
    );
    expect(principal.kind).toBe('anonymous');
  });

  it('still refuses a token in the URL when pairing is not required', () => {
    expect(() =>
      authenticatePaired(
        { headers: {}, query: { access_token: 'x' } },
        { guard: { requirePairing: false, tokens } },
      ),
    ).toThrow(expect.objectContaining({ code: 'AUTH_TOKEN_IN_URL' }) as unknown as Error);
  });
});

describe('verifyPairedToken', () => {
  const tokens = createPairedTokenStore({ hashes: [hashPairedToken(TOKEN)] });

  it('returns the paired principal for a stored token', () => {
    expect(verifyPairedToken(TOKEN, tokens).id).toBe(
      `paired:${hashPairedToken(TOKEN).slice(0, 12)}`,
    );
  });

  it('throws AUTH_INVALID_TOKEN for an unknown token', () => {
    expect(() => verifyPairedToken(`gth_${'9'.repeat(64)}`, tokens)).toThrow(
      expect.objectContaining({ code: 'AUTH_INVALID_TOKEN' }) as unknown as Error,
    );
  });
});
