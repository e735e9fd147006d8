import * as crypto from 'node:crypto';
import { createHash, randomBytes } from 'node:crypto';

/** Fixed prefix of every paired token, so secret scanners can recognise a leaked one. */
export const PAIRED_TOKEN_PREFIX = 'gth_';

/** A stored token hash: SHA-256, lower-case hex. */
const HASH_PATTERN = /^[0-9a-f]{64}$/;

/** Shortest hash prefix `remove` accepts, so a typo cannot revoke an unintended token. */
export const MIN_REVOKE_PREFIX = 8;

/** Prefix of a paired token's revocation handle (`Principal.jti`), `paired:<hash>`. */
export const PAIRED_CREDENTIAL_PREFIX = 'paired:';

/** The revocation handle of the paired token with this hash. */
export function pairedCredentialId(hash: string): string {
  return PAIRED_CREDENTIAL_PREFIX + hash;
}

/** A new bearer token: the prefix plus 32 random bytes as hex. Shown once, never stored. */
export function generatePairedToken(random: (size: number) => Buffer = randomBytes): string {
  return PAIRED_TOKEN_PREFIX + random(32).toString('hex');
}

/** SHA-256 hex of a token: the only form that is stored or compared. */
export function hashPairedToken(token: string): string {
  return sha256Hex(token);
}

/**
 * The one-shot `crypto.hash` (Node ≥ 20.12) skips creating a Hash object, which showed on the
 * request path (every bearer request hashes its token); older 20.x lines use createHash.
 */
const sha256Hex: (text: string) => string =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('sha256', text, 'hex')
    : (text) => createHash('sha256').update(text, 'utf8').digest('hex');

/** True when a `paired_tokens` entry is already a hash (anything else is a plaintext token). */
export function isTokenHash(entry: string): boolean {
  return HASH_PATTERN.test(entry);
}

/** Result of normalizing `paired_tokens` entries. */
export interface NormalizedPairedTokens {
  /** Unique hashes in file order. */
  hashes: string[];
  /** How many plaintext entries were hashed; when > 0 the caller rewrites the file. */
  hashedPlaintext: number;
}

/**
 * Hashes plaintext entries (a token pasted into the config by hand) so the file only ever keeps
 * hashes once the caller rewrites it; duplicates are dropped.
 */
export function normalizePairedTokenEntries(entries: readonly string[]): NormalizedPairedTokens {
  const hashes: string[] = [];
  let hashedPlaintext = 0;
  for (const entry of entries) {
    let hash = entry;
    if (!isTokenHash(entry)) {
      hash = hashPairedToken(entry.trim());
      hashedPlaintext += 1;
    }
    if (!hashes.includes(hash)) hashes.push(hash);
  }
  return { hashes, hashedPlaintext };
}

/** Why a revoke prefix was refused. */
export type TokenPrefixProblem = 'invalid' | 'not-found' | 'ambiguous';

/** A revoke prefix that is too short, not hex, unknown, or matches several tokens. */
export class TokenPrefixError extends Error {
  readonly problem: TokenPrefixProblem;

  constructor(problem: TokenPrefixProblem, message: string) {
    super(message);
    this.name = 'TokenPrefixError';
    this.problem = problem;
  }
}

/** Finds the single hash that starts with `prefix` (case-insensitive hex, ≥ 8 chars). */
export function matchHashPrefix(hashes: readonly string[], prefix: string): string {
  const wanted = prefix.trim().toLowerCase();
  if (wanted.length < MIN_REVOKE_PREFIX || !/^[0-9a-f]+$/.test(wanted) || wanted.length > 64) {
    throw new TokenPrefixError(
      'invalid',
      `Token prefix must be ${MIN_REVOKE_PREFIX} to 64 hex characters (see \`gatehouse tokens list\`)`,
    );
  }
  const matches = hashes.filter((hash) => hash.startsWith(wanted));
  if (matches.length === 0) {
    throw new TokenPrefixError('not-found', `No paired token matches prefix ${wanted}`);
  }
  if (matches.length > 1) {
    throw new TokenPrefixError(
      'ambiguous',
      `Prefix ${wanted} matches ${matches.length} paired tokens; give more characters`,
    );
  }
  return matches[0] as string;
}

/** The in-memory set of paired token hashes the gateway authenticates against. */
export interface PairedTokenStore {
  hash(token: string): string;
  /** True when the token's hash is stored. */
  verify(token: string): boolean;
  /** Same as `verify` for an already computed hash. */
  verifyHash(hash: string): boolean;
  add(hash: string): void;
  /** Removes the one hash starting with `prefix`; returns it. Throws TokenPrefixError. */
  remove(prefix: string): string;
  /** Replaces the whole set (a reload of the config file). */
  replaceAll(hashes: readonly string[]): void;
  list(): readonly string[];
  count(): number;
  /**
   * Called with each hash that `remove` or `replaceAll` took out of the set, so holders of
   * long-lived sessions can end them; returns an unsubscribe function.
   */
  onRemoved(listener: (hash: string) => void): () => void;
  /**
   * Runs `job` after every earlier job finished. Pairing (persist, then add) and reloading (read
   * the file, then replace) both go through it, so a reload that read the file just before a
   * pairing wrote it cannot drop the new token from memory.
   */
  serialize<T>(job: () => Promise<T>): Promise<T>;
}

export interface PairedTokenStoreOptions {
  /** Stored hashes (already normalized). */
  hashes: readonly string[];
}

/** Creates the token set. Entries that are not hashes are rejected: normalize them first. */
export function createPairedTokenStore(options: PairedTokenStoreOptions): PairedTokenStore {
  let entries = toEntries(options.hashes);
  let queue: Promise<unknown> = Promise.resolve();
  const listeners = new Set<(hash: string) => void>();

  const notifyRemoved = (hashes: readonly string[]): void => {
    for (const hash of hashes) {
      for (const listener of listeners) {
        try {
          listener(hash);
        } catch {
          // A failing listener (a socket already gone) must not keep the others from ending theirs.
        }
      }
    }
  };

  // A plain set lookup, not a constant-time scan: what is compared is the SHA-256 of the presented
  // token, never the token. Timing could at most tell a caller how its own guess's hash relates to
  // a stored hash, and a token with a given hash takes a SHA-256 preimage to find. (The answer,
  // 200 or 401, says whether it matched anyway.)
  const verifyHash = (hash: string): boolean => entries.has(hash);

  return {
    hash: hashPairedToken,
    verify: (token) => verifyHash(hashPairedToken(token)),
    verifyHash,
    add(hash) {
      assertTokenHashes([hash]);
      entries.add(hash);
    },
    remove(prefix) {
      const hash = matchHashPrefix([...entries], prefix);
      entries.delete(hash);
      notifyRemoved([hash]);
      return hash;
    },
    replaceAll(hashes) {
      const next = toEntries(hashes);
      const removed = [...entries].filter((entry) => !next.has(entry));
      entries = next;
      // Listeners run after the swap, so anything they re-check already sees the token gone.
      notifyRemoved(removed);
    },
    list: () => [...entries],
    count: () => entries.size,
    onRemoved(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    serialize<T>(job: () => Promise<T>): Promise<T> {
      const run = queue.then(job, job);
      // A failed job (e.g. persist) is reported to its caller; it must not stall the next one.
      queue = run.catch(() => undefined);
      return run;
    },
  };
}

/** The hashes as a set, in file order; throws on an entry that is not a SHA-256 hex hash. */
function toEntries(hashes: readonly string[]): Set<string> {
  assertTokenHashes(hashes);
  return new Set(hashes);
}

function assertTokenHashes(hashes: readonly string[]): void {
  for (const hash of hashes) {
    if (!isTokenHash(hash)) {
      throw new TypeError('Paired token entries must be SHA-256 hex; normalize plaintext first');
    }
  }
}
