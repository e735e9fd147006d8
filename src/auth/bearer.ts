import type { Principal } from '../core/types.js';
import { GatewayError } from '../errors.js';
import type { PairedTokenStore } from './paired-tokens.js';
import { pairedCredentialId } from './paired-tokens.js';
import { CHANNEL_SCOPES } from './scopes.js';

/** Query parameters that look like credentials (compared lower-cased). */
const URL_TOKEN_PARAMS: ReadonlySet<string> = new Set(['token', 'access_token', 'auth', 'api_key']);

/** Scopes every paired token carries. */
export const PAIRED_SCOPES: ReadonlySet<string> = new Set(CHANNEL_SCOPES);

/**
 * True when any query parameter name looks like a credential (`?Token=` counts: names are
 * compared case-insensitively, since servers and frameworks disagree on case).
 */
export function hasTokenParam(names: Iterable<string>): boolean {
  for (const name of names) {
    if (URL_TOKEN_PARAMS.has(name.toLowerCase())) return true;
  }
  return false;
}

/**
 * Refuses a request whose query string carries a credential-like parameter. The value is never
 * read: URLs end up in proxy logs, browser history and Referer headers, so a token sent there is
 * already leaked and must not be rewarded by working.
 */
export function rejectTokenInQuery(query: unknown): void {
  if (typeof query !== 'object' || query === null) return;
  if (hasTokenParam(Object.keys(query))) throw new GatewayError('AUTH_TOKEN_IN_URL');
}

/**
 * The principal of a paired token, or AUTH_INVALID_TOKEN. Fits `createAuthenticator`'s
 * `pairedGuard`: `pairedGuard: (token) => verifyPairedToken(token, guard.tokens)`. Its `jti` is
 * the token's revocation handle (`paired:<hash>`), so live sessions end when the token is removed.
 */
export function verifyPairedToken(
  token: string,
  tokens: Pick<PairedTokenStore, 'hash' | 'verifyHash'>,
): Principal {
  const hash = tokens.hash(token);
  if (!tokens.verifyHash(hash)) throw new GatewayError('AUTH_INVALID_TOKEN');
  return {
    id: `paired:${hash.slice(0, 12)}`,
    kind: 'paired',
    scopes: PAIRED_SCOPES,
    jti: pairedCredentialId(hash),
  };
}
