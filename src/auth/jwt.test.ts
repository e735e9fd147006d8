import { createHmac, generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { isGatewayError } from '../errors.js';
import { createJwtService } from './jwt.js';
import type { JwtService } from './jwt.js';

const SECRET = 'a'.repeat(32) + '-test-secret';
const NOW = Date.UTC(2024, 0, 1);
const NOW_SECS = NOW / 1000;
const key = new TextEncoder().encode(SECRET);

function service(revoked: ReadonlySet<string> = new Set(), now = () => NOW): JwtService {
  return createJwtService({
    secret: SECRET,
    issuer: 'gatehouse',
    audience: 'gatehouse',
    isRevoked: (jti) => revoked.has(jti),
    now,
  });
}

interface Claims {
  [claim: string]: unknown;
}

const baseClaims = (): Claims => ({
  sub: 'user:alice',
  iss: 'gatehouse',
  aud: 'gatehouse',
  scope: 'channels:web channels:api',
  iat: NOW_SECS,
  exp: NOW_SECS + 3600,
  jti: 'jti-1',
});

async function sign(claims: Claims, secret: Uint8Array = key, alg = 'HS256'): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT' }).sign(secret);
}

function without(claim: string): Claims {
  const claims = baseClaims();
  delete claims[claim];
  return claims;
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A token whose header claims `alg` but whose signature is HS256 over the same input. */
function forgeWithHeader(header: Record<string, unknown>, claims: Claims): string {
  const input = `${b64(header)}.${b64(claims)}`;
  const signature = createHmac('sha256', SECRET).update(input).digest('base64url');
  return `${input}.${signature}`;
}

async function rejection(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isGatewayError(error)) return error.code;
    throw error;
  }
  return 'accepted';
}

describe('JWT verification truth table', () => {
  const cases: Array<{ name: string; token: () => Promise<string> | string; expected: string }> = [
    { name: 'a valid token', token: () => sign(baseClaims()), expected: 'accepted' },
    {
      name: 'an expired token',
      token: () => sign({ ...baseClaims(), iat: NOW_SECS - 7200, exp: NOW_SECS - 61 }),
      expected: 'AUTH_INVALID_TOKEN',
    },
    {
      name: 'a token expired within the 60 s leeway',
      token: () => sign({ ...baseClaims(), exp: NOW_SECS - 59 }),
      expected: 'accepted',
    },
    {
      name: 'a token whose nbf is beyond the leeway',
      token: () => sign({ ...baseClaims(), nbf: NOW_SECS + 61 }),
      expected: 'AUTH_INVALID_TOKEN',
    },
    {
      name: 'a token whose nbf is inside the leeway',
      token: () => sign({ ...baseClaims(), nbf: NOW_SECS + 59 }),
      expected: 'accepted',
    },
    {
      name: 'a token issued in the future beyond the leeway',
      token: () => sign({ ...baseClaims(), iat: NOW_SECS + 120 }),
      expected: 'AUTH_INVALID_TOKEN',
    },
    {
      name: 'a token for another audience',
      token: () => sign({ ...baseClaims(), aud: 'someone-else' }),
      expected: 'AUTH_INVALID_TOKEN',
    },
    {
      name: 'a token from another issuer',
      token: () => sign({ ...baseClaims(), iss: 'evil' }),
      expected: 'AUTH_INVALID_TOKEN',
    },
    {
      name: 'a token signed with another secret',
      token: () => sign(baseClaims(), new TextEncoder().encode('b'.repeat(40))),
      expected: 'AUTH_INVALID_TOKEN',
    },
    {
      name: 'an unsecured token (alg none)',
      token: () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(baseClaims())}.`,
      expected: 'AUTH_INVALID_TOKEN',
    },
    {
      name: 'an RS256 header over an HMAC signature (algorithm confusion)',
      token: () => forgeWithHeader({ alg: 'RS256', typ: 'JWT' }, baseClaims()),
      expected: 'AUTH_INVALID_TOKEN',
    },
    {
      name: 'a token signed with HS512 and the right secret',
      token: () => sign(baseClaims(), key, 'HS512'),
      expected: 'AUTH_INVALID_TOKEN',
    },
    {
      name: 'a token without jti',
      token: () => sign(without('jti')),
      expected: 'AUTH_INVALID_TOKEN',
    },
    {
      name: 'a token without exp',
      token: () => sign(without('exp')),
      expected: 'AUTH_INVALID_TOKEN',
    },
    {
      name: 'a token without sub',
      token: () => sign(without('sub')),
      expected: 'AUTH_INVALID_TOKEN',
    },
    {
      name: 'a token with a malformed scope claim',
      token: () => sign({ ...baseClaims(), scope: 'channels:web;rm' }),
      expected: 'AUTH_INVALID_TOKEN',
    },
    { name: 'garbage', token: () => 'not.a.jwt', expected: 'AUTH_INVALID_TOKEN' },
  ];

  for (const { name, token, expected } of cases) {
    it(`${expected === 'accepted' ? 'accepts' : 'rejects'} ${name}`, async () => {
      expect(await rejection(service().verify(await token()))).toBe(expected);
    });
  }

  it('rejects an RS256 token signed with a real RSA key', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const token = await new SignJWT(baseClaims())
      .setProtectedHeader({ alg: 'RS256' })
      .sign(privateKey);
    expect(await rejection(service().verify(token))).toBe('AUTH_INVALID_TOKEN');
  });

  it('rejects a revoked token with AUTH_TOKEN_REVOKED', async () => {
    const token = await sign(baseClaims());
    expect(await rejection(service(new Set(['jti-1'])).verify(token))).toBe('AUTH_TOKEN_REVOKED');
  });
});

describe('createJwtService', () => {
  it('creates a token that verifies into a jwt principal with its scopes, jti and expiry', async () => {
    const jwt = service();
    const created = await jwt.createToken({
      subject: 'user:alice',
      scopes: ['channels:web'],
      expiresIn: 3600,
    });
    expect(created.expiresAt).toBe(NOW + 3600_000);
    expect(created.jti).toMatch(/^[0-9a-f-]{36}$/);
    const principal = await jwt.verify(created.token);
    expect(principal).toMatchObject({
      id: 'jwt:user:alice',
      kind: 'jwt',
      jti: created.jti,
      expiresAt: created.expiresAt,
    });
    expect([...principal.scopes]).toEqual(['channels:web']);
  });

  it('checks revocation on every use, even when the token is cached', async () => {
    const revoked = new Set<string>();
    const jwt = service(revoked);
    const { token, jti } = await jwt.createToken({
      subject: 's',
      scopes: ['channels:api'],
      expiresIn: 600,
    });
    await jwt.verify(token);
    revoked.add(jti);
    expect(await rejection(jwt.verify(token))).toBe('AUTH_TOKEN_REVOKED');
  });

  it('stops using a cached verification once the token expires', async () => {
    let now = NOW;
    const jwt = service(new Set(), () => now);
    const { token } = await jwt.createToken({ subject: 's', scopes: [], expiresIn: 30 });
    await jwt.verify(token);
    now += 30_000 + 61_000;
    expect(await rejection(jwt.verify(token))).toBe('AUTH_INVALID_TOKEN');
  });

  it('signs with a custom issuer that a gateway with the default issuer refuses', async () => {
    const jwt = service();
    const { token } = await jwt.createToken({
      subject: 's',
      scopes: [],
      expiresIn: 60,
      issuer: 'other',
    });
    expect(await rejection(jwt.verify(token))).toBe('AUTH_INVALID_TOKEN');
  });
});
