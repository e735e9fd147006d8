/**
 * The StateStore port: everything the gateway keeps that several instances must share once they
 * run behind one load balancer (rate-limit windows, idempotency records, pairing lockouts and
 * failure counters, JWT revocations, WebSocket tickets, token budgets).
 *
 * Every method is a single atomic step so a Redis implementation can map it onto one command or
 * one Lua script: sliding windows → a sorted set per key (ZREMRANGEBYSCORE, ZCARD, ZADD, PEXPIRE),
 * `setIfAbsent` → `SET NX PX`, `increment` / `incrementBy` → `INCRBY` + `PEXPIRE` when the key is
 * created, `deleteIfValue` → a compare-and-delete script. Values are strings; callers encode and
 * parse their own records.
 */

/** How a namespace is kept. Declare before the first use; undeclared namespaces are in-memory. */
export interface NamespaceOptions {
  /** Must survive a restart (SQLite in the embedded store). */
  durable: boolean;
  /** Most keys kept; the least recently used key is evicted past it. */
  maxKeys?: number;
}

/** Arguments of one sliding-window hit. */
export interface SlidingWindowOptions {
  /** Hits allowed inside the window; the hit that would exceed it is rejected. */
  limit: number;
  windowMs: number;
  /** Most keys tracked in the bucket; the least recently used key is forgotten past it. */
  maxKeys: number;
  /** Epoch milliseconds of the hit; defaults to the store's clock. */
  now?: number;
}

/** Outcome of one sliding-window hit. */
export interface SlidingWindowResult {
  allowed: boolean;
  /** 0 when allowed; else milliseconds until the oldest counted hit leaves the window. */
  retryAfterMs: number;
}

/** One live entry of a namespace. */
export interface StateEntry {
  key: string;
  value: string;
  /** Epoch milliseconds, or null when the entry never expires. */
  expiresAt: number | null;
}

/** Shared gateway state; see the file comment for the atomicity each method promises. */
export interface StateStore {
  /** Declares how a namespace is stored; idempotent, synchronous, done at wiring time. */
  declareNamespace(ns: string, options: NamespaceOptions): void;
  /**
   * Prunes hits older than the window, counts the rest, and records this hit only when allowed:
   * rejected requests never extend a client's lockout.
   */
  slidingWindowHit(
    bucket: string,
    key: string,
    options: SlidingWindowOptions,
  ): Promise<SlidingWindowResult>;
  /** The value, or undefined when absent or expired; refreshes the key's recency. */
  get(ns: string, key: string): Promise<string | undefined>;
  /** Writes (replacing any value); without `ttlMs` the entry lives until deleted or evicted. */
  set(ns: string, key: string, value: string, ttlMs?: number): Promise<void>;
  /** Writes only when the key is absent or expired; true when this call wrote it. */
  setIfAbsent(ns: string, key: string, value: string, ttlMs: number): Promise<boolean>;
  /** True when a live entry was removed. */
  delete(ns: string, key: string): Promise<boolean>;
  /** Removes the key only while it still holds `expected` (so a stale owner cannot remove a successor's entry). */
  deleteIfValue(ns: string, key: string, expected: string): Promise<boolean>;
  /**
   * Adds 1 and returns the new count. A new (or expired) key starts at 1 and expires `ttlMs`
   * later; later increments keep that expiry, so the count covers a fixed window.
   */
  increment(ns: string, key: string, ttlMs: number): Promise<number>;
  /**
   * Adds `amount` (a positive safe integer) and returns the new total, in one atomic step, so
   * concurrent adds from several instances all count. A new (or expired) key starts at `amount`
   * and expires `ttlMs` later; later adds keep that expiry. `increment` is `incrementBy(…, 1, …)`.
   */
  incrementBy(ns: string, key: string, amount: number, ttlMs: number): Promise<number>;
  /** Every live entry of a namespace, in no particular order (e.g. revocations to load). */
  list(ns: string): Promise<StateEntry[]>;
  /** Removes expired entries and stale windows; returns how many were removed. */
  sweep(now?: number): Promise<number>;
  /** Releases files and handles; further calls fail. Idempotent. */
  close(): Promise<void>;
}

/** Options shared by the in-process stores. */
export interface StateStoreBaseOptions {
  /** Epoch-milliseconds clock for TTLs; tests inject a fake one. */
  clock?: () => number;
  /** Bound for namespaces declared without `maxKeys` (and undeclared ones). */
  defaultMaxKeys?: number;
}

/** Default bound for namespaces that do not declare one, so no namespace grows without limit. */
export const DEFAULT_NAMESPACE_MAX_KEYS = 100_000;
