import * as z from 'zod';
import type { StateStore } from '../state/types.js';
import { REVOKED_NAMESPACE } from './revocations.js';

/** StateStore namespace of issued tokens (metadata only, never the token itself). */
export const TOKEN_REGISTRY_NAMESPACE = 'jwt';

const recordSchema = z.strictObject({
  subject: z.string(),
  scope: z.string(),
  expiresAt: z.number(),
  issuedAt: z.number(),
});

/** What `token list` shows about an issued JWT. */
export interface TokenRecord {
  jti: string;
  subject: string;
  /** Space-separated scopes. */
  scope: string;
  /** Epoch ms. */
  expiresAt: number;
  /** Epoch ms. */
  issuedAt: number;
}

export interface ListedToken extends TokenRecord {
  revoked: boolean;
}

/** Issued-token metadata so an operator can find a jti to revoke. */
export interface TokenRegistry {
  register(record: TokenRecord): Promise<void>;
  get(jti: string): Promise<TokenRecord | undefined>;
  /** Unexpired tokens, newest first, each with its revocation state. */
  list(): Promise<ListedToken[]>;
}

/** Declares the registry namespace durable. */
export function declareTokenRegistryNamespace(store: StateStore): void {
  store.declareNamespace(TOKEN_REGISTRY_NAMESPACE, { durable: true });
}

/** Builds the registry over the shared StateStore. */
export function createTokenRegistry(
  store: StateStore,
  now: () => number = Date.now,
): TokenRegistry {
  return {
    async register(record) {
      const { jti, ...rest } = record;
      const ttlMs = Math.max(record.expiresAt - now(), 1);
      await store.set(TOKEN_REGISTRY_NAMESPACE, jti, JSON.stringify(rest), ttlMs);
    },
    async get(jti) {
      const value = await store.get(TOKEN_REGISTRY_NAMESPACE, jti);
      return value === undefined ? undefined : decode(jti, value);
    },
    async list() {
      const [entries, revokedEntries] = await Promise.all([
        store.list(TOKEN_REGISTRY_NAMESPACE),
        store.list(REVOKED_NAMESPACE),
      ]);
      const revoked = new Set(revokedEntries.map((entry) => entry.key));
      return entries
        .map((entry) => decode(entry.key, entry.value))
        .filter((record): record is TokenRecord => record !== undefined)
        .map((record) => ({ ...record, revoked: revoked.has(record.jti) }))
        .sort((a, b) => b.issuedAt - a.issuedAt);
    },
  };
}

function decode(jti: string, value: string): TokenRecord | undefined {
  try {
    const parsed = recordSchema.safeParse(JSON.parse(value));
    return parsed.success ? { jti, ...parsed.data } : undefined;
  } catch {
    // A corrupt row (hand-edited database) is skipped rather than breaking `token list`.
    return undefined;
  }
}
