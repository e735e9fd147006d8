import { describe, expect, it } from 'vitest';
import type { Principal } from '../core/types.js';
import { GatewayError, isGatewayError } from '../errors.js';
import { createAuthenticator } from './authenticate.js';
import { createJwtService } from './jwt.js';

const jwt = createJwtService({
  secret: 's'.repeat(40),
  issuer: 'gatehouse',
  audience: 'gatehouse',
  isRevoked: (jti) => jti === revokedJti,
});
let revokedJti = '';

const PAIRED = 'gth_' + 'A'.repeat(43);
const pairedGuard = (token: string): Principal => {
  if (token !== PAIRED) throw new GatewayError('AUTH_INVALID_TOKEN');
  return { id: 'paired:abcd', kind: 'paired', scopes: new Set(['channels:api', 'channels:web']) };
};

function authenticator(requirePairing = true) {
  return createAuthenticator({ pairedGuard, jwt, requirePairing });
}

async function outcome(promise: Promise<Principal>): Promise<string> {
  try {
    return (await promise).kind;
  } catch (error) {
    if (isGatewayError(error)) return error.code;
    throw error;
  }
}

async function tokenWith(scopes: string[]): Promise<string> {
  return (await jwt.createToken({ subject: 'user:a', scopes, expiresIn: 60 })).token;
}

describe('createAuthenticator', () => {
  it('accepts a paired token for every channel scope', async () => {
    const auth = authenticator();
    expect(await outcome(auth(`Bearer ${PAIRED}`, 'channels:web'))).toBe('paired');
    expect(await outcome(auth(`Bearer ${PAIRED}`, 'channels:api'))).toBe('paired');
  });

  it('refuses an unknown paired token', async () => {
    const auth = authenticator();
    const other = 'gth_' + 'B'.repeat(43);
    expect(await outcome(auth(`Bearer ${other}`, 'channels:web'))).toBe('AUTH_INVALID_TOKEN');
  });

  it('accepts a JWT holding the required scope', async () => {
    const token = await tokenWith(['channels:web']);
    expect(await outcome(authenticator()(`Bearer ${token}`, 'channels:web'))).toBe('jwt');
  });

  it('refuses a JWT without the required scope with 403 AUTH_INSUFFICIENT_SCOPE', async () => {
    const token = await tokenWith(['channels:api']);
    const result = authenticator()(`Bearer ${token}`, 'channels:web');
    await expect(result).rejects.toMatchObject({ code: 'AUTH_INSUFFICIENT_SCOPE', status: 403 });
  });

  it('refuses a revoked JWT', async () => {
    const created = await jwt.createToken({
      subject: 'x',
      scopes: ['channels:web'],
      expiresIn: 60,
    });
    revokedJti = created.jti;
    expect(await outcome(authenticator()(`Bearer ${created.token}`, 'channels:web'))).toBe(
      'AUTH_TOKEN_REVOKED',
    );
  });

  // RFC 7235 §2.1 / RFC 6750 §2.1: scheme case-insensitive, exactly one token68 credential.
  it.each([
    { header: `Bearer ${PAIRED}`, outcome: 'paired' },
    { header: `bearer ${PAIRED}`, outcome: 'paired' },
    { header: `BEARER ${PAIRED}`, outcome: 'paired' },
    { header: `Bearer   ${PAIRED}`, outcome: 'paired' },
    { header: `Bearer ${PAIRED} `, outcome: 'paired' },
    { header: 'Bearer abc.def-ghi_jkl~mno+pqr/stu==', outcome: 'AUTH_INVALID_TOKEN' },
    { header: 'Basic dXNlcjpwYXNz', outcome: 'AUTH_INVALID_TOKEN' },
    { header: 'Bearer', outcome: 'AUTH_INVALID_TOKEN' },
    { header: 'Bearer ', outcome: 'AUTH_INVALID_TOKEN' },
    { header: `Bearer ${PAIRED} ${PAIRED}`, outcome: 'AUTH_INVALID_TOKEN' },
    { header: `Bearer ${PAIRED},${PAIRED}`, outcome: 'AUTH_INVALID_TOKEN' },
    { header: 'Bearer a,b', outcome: 'AUTH_INVALID_TOKEN' },
    { header: `Bearer\t${PAIRED}`, outcome: 'AUTH_INVALID_TOKEN' },
    { header: `Bearer: ${PAIRED}`, outcome: 'AUTH_INVALID_TOKEN' },
    { header: `Bearerx ${PAIRED}`, outcome: 'AUTH_INVALID_TOKEN' },
    { header: PAIRED, outcome: 'AUTH_INVALID_TOKEN' },
    { header: 'Bearer =abc', outcome: 'AUTH_INVALID_TOKEN' },
    { header: 'Bearer ab=c', outcome: 'AUTH_INVALID_TOKEN' },
    { header: 'Bearer tök', outcome: 'AUTH_INVALID_TOKEN' },
    { header: `Bearer ${PAIRED}${'A'.repeat(5000)}`, outcome: 'AUTH_INVALID_TOKEN' },
    { header: '', outcome: 'AUTH_MISSING_TOKEN' },
    { header: '   ', outcome: 'AUTH_MISSING_TOKEN' },
  ])('Authorization $header → $outcome', async ({ header, outcome: expected }) => {
    expect(await outcome(authenticator()(header, 'channels:api'))).toBe(expected);
  });

  it('parses the JWT credential out of a lower-case scheme', async () => {
    const token = await tokenWith(['channels:api']);
    expect(await outcome(authenticator()(`bearer ${token}`, 'channels:api'))).toBe('jwt');
  });

  it('refuses a missing header when pairing is required', async () => {
    expect(await outcome(authenticator()(undefined, 'channels:api'))).toBe('AUTH_MISSING_TOKEN');
  });

  it('lets an anonymous caller use only channels:api when pairing is not required', async () => {
    const auth = authenticator(false);
    const principal = await auth(undefined, 'channels:api');
    expect(principal.kind).toBe('anonymous');
    expect([...principal.scopes]).toEqual(['channels:api']);
    expect(await outcome(auth(undefined, 'channels:web'))).toBe('AUTH_MISSING_TOKEN');
  });

  it.each([
    { case: 'no header', header: undefined, code: 'AUTH_MISSING_TOKEN' },
    {
      case: 'an oversized header',
      header: `Bearer ${'a'.repeat(5000)}`,
      code: 'AUTH_INVALID_TOKEN',
    },
    { case: 'another scheme', header: 'Basic dXNlcjpwYXNz', code: 'AUTH_INVALID_TOKEN' },
    {
      case: 'an unknown paired token',
      header: `Bearer gth_${'B'.repeat(43)}`,
      code: 'AUTH_INVALID_TOKEN',
    },
    { case: 'a malformed JWT', header: 'Bearer not.a.jwt', code: 'AUTH_INVALID_TOKEN' },
  ])('refuses $case by rejecting, never by throwing', async ({ header, code }) => {
    let pending: Promise<Principal> | undefined;
    expect(() => (pending = authenticator()(header, 'channels:api'))).not.toThrow();
    expect(await outcome(pending as Promise<Principal>)).toBe(code);
  });

  it('checks the scope of a paired principal found asynchronously (a shared store)', async () => {
    const auth = createAuthenticator({
      pairedGuard: async (token) => ({
        ...pairedGuard(token),
        scopes: new Set(['channels:web']),
      }),
      jwt,
      requirePairing: true,
    });
    expect(await outcome(auth(`Bearer ${PAIRED}`, 'channels:web'))).toBe('paired');
    expect(await outcome(auth(`Bearer ${PAIRED}`, 'channels:api'))).toBe('AUTH_INSUFFICIENT_SCOPE');
  });
});
