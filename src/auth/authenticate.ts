import type { Principal } from '../core/types.js';
import { GatewayError } from '../errors.js';
import { PAIRED_TOKEN_PREFIX } from './paired-tokens.js';
import { hasScope, SCOPE_API } from './scopes.js';

/** Checks a paired token; returns its principal (all channel scopes) or throws AUTH_INVALID_TOKEN. */
export type PairedTokenCheck = (token: string) => Principal | Promise<Principal>;

/** Verifies a JWT (signature, claims, revocation) into a principal. */
export interface JwtVerifier {
  verify(token: string): Promise<Principal>;
}

export interface AuthenticatorOptions {
  pairedGuard: PairedTokenCheck;
  jwt: JwtVerifier;
  /** `gateway.require_pairing`; when false a request without credentials is anonymous. */
  requirePairing: boolean;
  /** What an anonymous caller may do when pairing is not required (default: channels:api only). */
  anonymousScopes?: readonly string[];
}

/**
 * Authenticates an `Authorization` header for a channel scope. The scopes come only from the
 * credential; nothing else the client sends can add to them.
 */
export type Authenticate = (
  authorization: string | undefined,
  requiredScope: string,
) => Promise<Principal>;

// RFC 7235 §2.1: credentials = auth-scheme 1*SP token68, the scheme case-insensitive; RFC 6750
// §2.1 b64token. Exactly one credential: two tokens, a comma list or a tab are refused outright.
const BEARER_PATTERN = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
/** Longest Authorization header considered; real tokens are well under 1 KiB. */
const MAX_AUTHORIZATION_LENGTH = 4096;

/** Builds the combined authenticator: a paired (`gth_…`) token or a JWT, then the scope check. */
export function createAuthenticator(options: AuthenticatorOptions): Authenticate {
  const anonymous: Principal = Object.freeze({
    id: 'anonymous',
    kind: 'anonymous',
    scopes: new Set(options.anonymousScopes ?? [SCOPE_API]),
  });

  return async function authenticate(authorization, requiredScope) {
    if (authorization === undefined || authorization.trim() === '') {
      if (!options.requirePairing && hasScope(anonymous, requiredScope)) return anonymous;
      throw new GatewayError('AUTH_MISSING_TOKEN');
    }
    // Bounded before the regex runs, so a huge header costs nothing to refuse.
    if (authorization.length > MAX_AUTHORIZATION_LENGTH) {
      throw new GatewayError('AUTH_INVALID_TOKEN');
    }
    const match = BEARER_PATTERN.exec(authorization);
    const token = match?.[1];
    if (token === undefined) throw new GatewayError('AUTH_INVALID_TOKEN');
    const principal = token.startsWith(PAIRED_TOKEN_PREFIX)
      ? await options.pairedGuard(token)
      : await options.jwt.verify(token);
    if (!hasScope(principal, requiredScope)) throw new GatewayError('AUTH_INSUFFICIENT_SCOPE');
    return principal;
  };
}
