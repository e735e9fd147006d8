import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import type { TempHome } from './gatehouse-process.js';

/*
 * Tokens the CLI would never mint (expired, foreign secret, unsigned), made by hand so a test can
 * show the running gateway refuses them for the right reason.
 */

export interface HandMadeClaims {
  /** Seconds relative to now (negative = in the past). */
  expInSecs: number;
  scope?: string;
  jti?: string;
  /** HMAC algorithm in the header (default HS256, the only one the gateway accepts). */
  alg?: 'HS256' | 'HS384' | 'HS512';
}

/** Signs an HMAC token with `secret` and the default iss/aud, for tokens the CLI cannot mint. */
export function signJwt(secret: string, claims: HandMadeClaims): Promise<string> {
  const nowSecs = Math.floor(Date.now() / 1000);
  return new SignJWT({ scope: claims.scope ?? 'channels:api channels:web' })
    .setProtectedHeader({ alg: claims.alg ?? 'HS256', typ: 'JWT' })
    .setSubject('user:mallory')
    .setIssuer('gatehouse')
    .setAudience('gatehouse')
    .setIssuedAt(Math.min(nowSecs, nowSecs + claims.expInSecs - 60))
    .setExpirationTime(nowSecs + claims.expInSecs)
    .setJti(claims.jti ?? `hand-${nowSecs}-${Math.random().toString(36).slice(2)}`)
    .sign(new TextEncoder().encode(secret));
}

/** The secret the gateway generated into `$GATEHOUSE_HOME/jwt.secret`. */
export function generatedJwtSecret(home: TempHome): string {
  return readFileSync(join(home.dir, 'jwt.secret'), 'utf8').trim();
}

/** An unsigned `alg: none` token with otherwise valid claims. */
export function unsignedJwt(): string {
  const nowSecs = Math.floor(Date.now() / 1000);
  const encode = (value: object): string =>
    Buffer.from(JSON.stringify(value)).toString('base64url');
  const header = encode({ alg: 'none', typ: 'JWT' });
  const payload = encode({
    sub: 'user:mallory',
    iss: 'gatehouse',
    aud: 'gatehouse',
    scope: 'channels:api channels:web',
    iat: nowSecs,
    exp: nowSecs + 3600,
    jti: 'forged-none',
  });
  return `${header}.${payload}.`;
}
