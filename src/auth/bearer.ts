import type { Principal } from '../core/types.js';
import { GatewayError } from '../errors.js';
import type { PairedTokenStore } from './paired-tokens.js';
import { CHANNEL_SCOPES } from './scopes.js';

/** Query parameters that look like credentials; their presence alone refuses the request. */
export const URL_TOKEN_PARAMS: ReadonlySet<string> = new Set([
  'token',
  'access_token',
  'auth',
  'api_key',
]);

/** Scopes every paired token carries. */
export const PAIRED_SCOPES: ReadonlySet<string> = new Set(CHANNEL_SCOPES);

/** Longest Authorization header considered; real tokens are ~70 characters. */
const MAX_AUTHORIZATION_LENGTH = 4096;

// RFC 7235 §2.1: credentials = auth-scheme 1*SP token68; the scheme is case-insensitive.
// token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const BEARER_PATTERN = /^bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/** The token of an `Authorization: Bearer <token>` header, or undefined for anything else. */
export function parseBearer(header: unknown): string | undefined {
  if (typeof header !== 'string' || header.length > MAX_AUTHORIZATION_LENGTH) return undefined;
  const match = BEARER_PATTERN.exec(header);
  return match?.[1];
}

/**
 * Refuses a request whose query string carries a credential-like parameter. The value is never
 * read: URLs end up in proxy logs, browser history and Referer headers, so a token sent there is
 * already leaked and must not be rewarded by working.
 */
export function rejectTokenInQuery(query: unknown): void {
  if (typeof query !== 'object' || query === null) return;
  for (const key of Object.keys(query)) {
    if (URL_TOKEN_PARAMS.has(key.toLowerCase())) throw new GatewayError('AUTH_TOKEN_IN_URL');
  }
}

/** The request fields authentication looks at (a FastifyRequest fits). */
export interface AuthenticatableRequest {
  headers: Record<string, string | string[] | undefined>;
  query?: unknown;
}

export interface AuthenticatePairedOptions {
  guard: { readonly requirePairing: boolean; readonly tokens: PairedTokenStore };
}

/**
 * Authenticates a paired bearer token. Throws AUTH_TOKEN_IN_URL, AUTH_MISSING_TOKEN or
 * AUTH_INVALID_TOKEN. With `require_pairing = false` every request is the anonymous principal
 * (still never with a token in the URL).
 */
export function authenticatePaired(
  request: AuthenticatableRequest,
  options: AuthenticatePairedOptions,
): Principal {
  rejectTokenInQuery(request.query);
  const { guard } = options;
  if (!guard.requirePairing) {
    return { id: 'anonymous', kind: 'anonymous', scopes: PAIRED_SCOPES };
  }
  const header = request.headers.authorization;
  // No header, or another scheme (Basic...): there is no bearer token to judge.
  if (typeof header !== 'string' || !/^bearer(?: |$)/i.test(header)) {
    throw new GatewayError('AUTH_MISSING_TOKEN');
  }
  const token = parseBearer(header);
  if (token === undefined) throw new GatewayError('AUTH_INVALID_TOKEN');
  return verifyPairedToken(token, guard.tokens);
}

/**
 * The principal of a paired token, or AUTH_INVALID_TOKEN. Fits `createAuthenticator`'s
 * `pairedGuard`: `pairedGuard: (token) => verifyPairedToken(token, guard.tokens)`.
 */
export function verifyPairedToken(
  token: string,
  tokens: Pick<PairedTokenStore, 'hash' | 'verifyHash'>,
): Principal {
  const hash = tokens.hash(token);
  if (!tokens.verifyHash(hash)) throw new GatewayError('AUTH_INVALID_TOKEN');
  return { id: `paired:${hash.slice(0, 12)}`, kind: 'paired', scopes: PAIRED_SCOPES };
}
