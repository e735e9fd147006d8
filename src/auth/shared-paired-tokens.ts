import type { Principal } from '../core/types.js';
import { GatewayError } from '../errors.js';
import type { StateEvents } from '../state/state-events.js';
import type { StateStore } from '../state/types.js';
import { verifyPairedToken } from './bearer.js';
import type { PairedTokenStore } from './paired-tokens.js';
import { hashPairedToken, isTokenHash, matchHashPrefix } from './paired-tokens.js';

/*
 * Paired tokens with `[state] backend = "redis"`: the hashes live in the shared StateStore instead
 * of each instance's config file, so a token paired on one instance works on all of them and
 * `gatehouse tokens revoke` removes it everywhere. The in-memory PairedTokenStore stays as a
 * mirror (for `isPaired`, and to notify live sessions when a hash disappears).
 */

/** Namespace of paired token hashes; the value is a small JSON record (never the token). */
export const SHARED_TOKENS_NAMESPACE = 'paired-tokens';
/** Hashes already imported from a config file, so a revoked one is never imported again. */
export const IMPORTED_TOKENS_NAMESPACE = 'paired-tokens.imported';
/** Event channel announcing a removed hash to every instance. */
export const TOKEN_REMOVED_CHANNEL = 'paired-token-removed';
/** How often each instance re-reads the shared set (safety net behind the event). */
export const SHARED_TOKENS_REFRESH_MS = 1000;

// setIfAbsent needs a TTL; an import marker must outlive any deployment.
const IMPORT_MARKER_TTL_MS = 100 * 365 * 86_400_000;
const MAX_TOKENS = 1_000_000;

/** Declares the shared token namespaces (durable, effectively unbounded). */
export function declareSharedTokenNamespaces(store: StateStore): void {
  store.declareNamespace(SHARED_TOKENS_NAMESPACE, { durable: true, maxKeys: MAX_TOKENS });
  store.declareNamespace(IMPORTED_TOKENS_NAMESPACE, { durable: true, maxKeys: MAX_TOKENS });
}

/** Every shared paired-token hash. */
export async function listSharedTokens(store: StateStore): Promise<string[]> {
  const entries = await store.list(SHARED_TOKENS_NAMESPACE);
  return entries.map((entry) => entry.key).filter(isTokenHash);
}

/** Adds a hash to the shared set (what pairing persists). */
export async function addSharedToken(
  store: StateStore,
  hash: string,
  source: string,
): Promise<void> {
  await store.set(SHARED_TOKENS_NAMESPACE, hash, JSON.stringify({ pairedAt: Date.now(), source }));
}

/**
 * Imports the hashes of a config file once each: a hash seen before (even one revoked since) is
 * skipped, so restarting an instance never brings a revoked token back. Returns how many were new.
 */
export async function importSharedTokens(
  store: StateStore,
  hashes: readonly string[],
): Promise<number> {
  let imported = 0;
  for (const hash of hashes) {
    if (await store.setIfAbsent(IMPORTED_TOKENS_NAMESPACE, hash, '1', IMPORT_MARKER_TTL_MS)) {
      await addSharedToken(store, hash, 'config');
      imported += 1;
    }
  }
  return imported;
}

/**
 * Removes the one shared hash starting with `prefix` and tells every instance. Throws
 * TokenPrefixError for an unknown or ambiguous prefix.
 */
export async function revokeSharedToken(
  store: StateStore,
  events: Pick<StateEvents, 'publish'>,
  prefix: string,
): Promise<string> {
  const hash = matchHashPrefix(await listSharedTokens(store), prefix);
  await store.delete(SHARED_TOKENS_NAMESPACE, hash);
  await events.publish(TOKEN_REMOVED_CHANNEL, hash);
  return hash;
}

/**
 * Keeps the local mirror equal to the shared set. Runs through `tokens.serialize`, so a refresh
 * that listed the store just before a local pairing wrote it cannot drop the new token.
 */
export function refreshSharedTokens(tokens: PairedTokenStore, store: StateStore): Promise<void> {
  return tokens.serialize(async () => {
    tokens.replaceAll(await listSharedTokens(store));
  });
}

/**
 * The paired-token check against the shared set itself, not the mirror: a token paired a moment
 * ago on another instance works here at once, a revoked one stops at once, and while Redis is
 * down the check fails closed (STATE_UNAVAILABLE) instead of trusting a stale copy.
 */
export function sharedPairedTokenCheck(
  tokens: PairedTokenStore,
  store: StateStore,
): (token: string) => Promise<Principal> {
  return async function checkSharedPairedToken(token) {
    const hash = hashPairedToken(token);
    if ((await store.get(SHARED_TOKENS_NAMESPACE, hash)) === undefined) {
      throw new GatewayError('AUTH_INVALID_TOKEN');
    }
    tokens.add(hash);
    return verifyPairedToken(token, tokens);
  };
}
