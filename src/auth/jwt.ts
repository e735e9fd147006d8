import { createHash, randomUUID } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { LRUCache } from 'lru-cache';
import type { Principal } from '../core/types.js';
import { GatewayError } from '../errors.js';
import { JWT_CLOCK_TOLERANCE_SECS } from './jwt-clock.js';
import { formatScopes, parseScopes, ScopeError } from './scopes.js';

export { JWT_CLOCK_TOLERANCE_SECS };
const CACHE_MAX_ENTRIES = 10_000;
const CACHE_MAX_TTL_MS = 60_000;

export interface JwtServiceOptions {
  secret: string;
  issuer: string;
  audience: string;
  /** Local, cheap revocation check consulted on every verification (cached or not). */
  isRevoked: (jti: string) => boolean;
  /** Epoch ms; injectable for tests. */
  now?: () => number;
}

export interface CreateTokenOptions {
  /** `sub`, e.g. `user:alice`. */
  subject: string;
  scopes: Iterable<string>;
  /** Lifetime in seconds. */
  expiresIn: number;
  /** Overrides the configured `iss` (the verifying gateway must be configured to match). */
  issuer?: string;
}

export interface CreatedToken {
  token: string;
  jti: string;
  /** Epoch ms. */
  expiresAt: number;
  /** Epoch ms. */
  issuedAt: number;
}

/** Issues and verifies scoped HS256 JWTs. */
export interface JwtService {
  createToken(options: CreateTokenOptions): Promise<CreatedToken>;
  /** Resolves to a `jwt` principal, or throws GatewayError AUTH_INVALID_TOKEN / AUTH_TOKEN_REVOKED. */
  verify(token: string): Promise<Principal>;
}

interface CachedPrincipal {
  principal: Principal;
  /** Epoch ms after which the cache entry must not be used. */
  validUntil: number;
}

/** Builds the JWT service; the HMAC key is imported once here, not per call. */
export function createJwtService(options: JwtServiceOptions): JwtService {
  const key = new TextEncoder().encode(options.secret);
  const now = options.now ?? Date.now;
  const cache = new LRUCache<string, CachedPrincipal>({ max: CACHE_MAX_ENTRIES });

  async function createToken(input: CreateTokenOptions): Promise<CreatedToken> {
    if (!Number.isInteger(input.expiresIn) || input.expiresIn <= 0) {
      throw new RangeError('expiresIn must be a positive number of seconds');
    }
    const issuedAtSecs = Math.floor(now() / 1000);
    const expSecs = issuedAtSecs + input.expiresIn;
    const jti = randomUUID();
    const token = await new SignJWT({ scope: formatScopes(input.scopes) })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(input.subject)
      .setIssuer(input.issuer ?? options.issuer)
      .setAudience(options.audience)
      .setIssuedAt(issuedAtSecs)
      .setExpirationTime(expSecs)
      .setJti(jti)
      .sign(key);
    return { token, jti, expiresAt: expSecs * 1000, issuedAt: issuedAtSecs * 1000 };
  }

  async function verify(token: string): Promise<Principal> {
    const cacheKey = createHash('sha256').update(token).digest('base64url');
    const current = now();
    const cached = cache.get(cacheKey);
    if (cached !== undefined && cached.validUntil > current) {
      assertNotRevoked(cached.principal, options.isRevoked);
      return cached.principal;
    }
    const principal = await verifyUncached(token, current);
    assertNotRevoked(principal, options.isRevoked);
    const validUntil = Math.min(principal.expiresAt ?? current, current + CACHE_MAX_TTL_MS);
    if (validUntil > current) cache.set(cacheKey, { principal, validUntil });
    return principal;
  }

  async function verifyUncached(token: string, current: number): Promise<Principal> {
    try {
      const { payload } = await jwtVerify(token, key, {
        // Pinned: never let the token header choose the algorithm (alg=none, RS256/HS confusion).
        algorithms: ['HS256'],
        issuer: options.issuer,
        audience: options.audience,
        clockTolerance: JWT_CLOCK_TOLERANCE_SECS,
        requiredClaims: ['exp', 'jti', 'sub'],
        currentDate: new Date(current),
      });
      // jose only checks `iat` when maxTokenAge is set; a token "issued" in the future is forged
      // or minted by a skewed clock, so refuse it beyond the same leeway.
      if (payload.iat !== undefined && payload.iat > current / 1000 + JWT_CLOCK_TOLERANCE_SECS) {
        throw invalid('iat is in the future');
      }
      const scopes = parseScopes(typeof payload.scope === 'string' ? payload.scope : '');
      const { sub, jti, exp } = payload;
      if (typeof sub !== 'string' || sub === '' || typeof jti !== 'string' || jti === '') {
        throw invalid('sub and jti must be non-empty strings');
      }
      return { id: `jwt:${sub}`, kind: 'jwt', scopes, jti, expiresAt: (exp ?? 0) * 1000 };
    } catch (error) {
      if (error instanceof GatewayError) throw error;
      if (error instanceof joseErrors.JOSEError || error instanceof ScopeError) {
        throw invalid(error.message, error);
      }
      throw error;
    }
  }

  return { createToken, verify };
}

function assertNotRevoked(principal: Principal, isRevoked: (jti: string) => boolean): void {
  if (principal.jti !== undefined && isRevoked(principal.jti)) {
    throw new GatewayError('AUTH_TOKEN_REVOKED');
  }
}

// The client only learns "invalid"; the reason stays in `cause` for logs at debug level.
function invalid(reason: string, cause?: unknown): GatewayError {
  return new GatewayError('AUTH_INVALID_TOKEN', {
    message: 'Invalid or expired token',
    cause: cause ?? new Error(reason),
  });
}
