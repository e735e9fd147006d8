import type { StateStore } from '../state/types.js';
import { JWT_CLOCK_TOLERANCE_SECS } from './jwt-clock.js';

/** StateStore namespace of revoked jtis; the value is the token's expiry (epoch ms) or "". */
export const REVOKED_NAMESPACE = 'revoked';
/** Event channel announcing a JWT revocation to every instance (shared state). */
export const JWT_REVOKED_CHANNEL = 'jwt-revoked';
/** How often the running gateway reloads revocations (the issue allows 2 s). */
export const REVOCATION_REFRESH_INTERVAL_MS = 1000;

// A revocation must outlive every copy of the token that could still verify: expiry plus leeway.
const RETENTION_AFTER_EXPIRY_MS = JWT_CLOCK_TOLERANCE_SECS * 1000 + 60_000;

export interface RevocationListOptions {
  store: StateStore;
  now?: () => number;
}

/** The revoked jtis, mirrored into memory so every request checks them without I/O. */
export interface RevocationList {
  /** Local set lookup; never touches the store. */
  isRevoked(jti: string): boolean;
  /** Writes the revocation to the store, then applies it locally at once. */
  revoke(jti: string, expiresAt?: number): Promise<void>;
  /** Reloads the store (the scheduler runs this every second); notifies newly revoked jtis. */
  refresh(): Promise<void>;
  /** Called once per newly seen revoked jti; returns an unsubscribe function. */
  onRevoked(listener: (jti: string) => void): () => void;
}

/** Declares the revocation namespace durable, so a revocation survives restarts. */
export function declareRevocationNamespace(store: StateStore): void {
  store.declareNamespace(REVOKED_NAMESPACE, { durable: true });
}

/** Builds the revocation list over the shared StateStore (same file the CLI writes to). */
export function createRevocationList(options: RevocationListOptions): RevocationList {
  const { store } = options;
  const now = options.now ?? Date.now;
  let revoked = new Set<string>();
  const listeners = new Set<(jti: string) => void>();
  let inFlight: Promise<void> | undefined;

  function notify(jti: string): void {
    for (const listener of listeners) {
      try {
        listener(jti);
      } catch {
        // A failing listener (e.g. a socket already gone) must not stop the others from closing.
      }
    }
  }

  // Revoked here but possibly missing from a listing that a racing refresh started earlier;
  // kept until a listing contains them so they never flicker back to valid.
  const pendingLocal = new Set<string>();

  function apply(listed: Iterable<string>): void {
    const next = new Set(listed);
    for (const jti of pendingLocal) {
      if (next.has(jti)) pendingLocal.delete(jti);
      else next.add(jti);
    }
    const fresh = [...next].filter((jti) => !revoked.has(jti));
    revoked = next;
    fresh.forEach(notify);
  }

  async function load(): Promise<void> {
    const entries = await store.list(REVOKED_NAMESPACE);
    apply(entries.map((entry) => entry.key));
  }

  return {
    isRevoked: (jti) => revoked.has(jti),
    async revoke(jti, expiresAt) {
      const ttlMs =
        expiresAt === undefined
          ? undefined
          : Math.max(expiresAt - now(), 0) + RETENTION_AFTER_EXPIRY_MS;
      await store.set(
        REVOKED_NAMESPACE,
        jti,
        expiresAt === undefined ? '' : String(expiresAt),
        ttlMs,
      );
      if (!revoked.has(jti)) {
        revoked.add(jti);
        pendingLocal.add(jti);
        notify(jti);
      }
    },
    refresh() {
      inFlight ??= load().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
    onRevoked(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
