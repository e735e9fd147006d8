/** What a memory entry is about. */
export type MemoryCategory = 'conversation' | 'core' | 'daily' | 'custom';

/** Who said a conversation entry. */
export type MemoryRole = 'user' | 'assistant';

/** One stored entry. */
export interface MemoryEntry {
  key: string;
  content: string;
  category: MemoryCategory;
  sessionId: string | null;
  role: MemoryRole | null;
  /** RFC 3339. */
  createdAt: string;
}

/** Retention rules for conversation entries; one call deletes at most `batchSize` rows. */
export interface PruneOptions {
  /** Delete conversation entries created before this instant (RFC 3339). */
  olderThan?: string;
  /** Keep at most this many conversation entries per session, the newest. */
  maxPerSession?: number;
  batchSize: number;
}

/** How a store may be committed. */
export interface StoreOptions {
  /**
   * Nobody waits for this store (nor reads it from elsewhere) before it is committed: a memory
   * may then hold it back a few milliseconds, to commit it with the next stores instead of alone.
   * It is still seen by every later read in this process, and its promise still settles once it
   * is committed.
   */
  deferrable?: boolean;
}

/** The Memory port: the conversation store. */
export interface Memory {
  readonly backend: string;
  /**
   * True when every reader of this memory is in this process (an embedded file): a store that was
   * called is then seen by every later read before it commits, so a turn's reply may be committed
   * after the answer has left. A memory other instances read (PostgreSQL) shows them a store only
   * once committed. Absent means false.
   */
  readonly inProcess?: boolean;
  /**
   * Stores of one session are applied in the order they were called, and a read made in this
   * process sees every store called before it, settled or not (`history`: of its session).
   */
  store(
    key: string,
    content: string,
    category: MemoryCategory,
    sessionId?: string | null,
    role?: MemoryRole | null,
    options?: StoreOptions,
  ): Promise<void>;
  /** The last `limit` entries of a session, oldest first. */
  history(sessionId: string, limit: number): Promise<MemoryEntry[]>;
  /** Keyword search over content, best matches first. */
  recall(query: string, limit: number): Promise<MemoryEntry[]>;
  get(key: string): Promise<MemoryEntry | undefined>;
  /** Entries oldest first, optionally filtered, at most `limit`. */
  list(options?: {
    category?: MemoryCategory;
    sessionId?: string;
    limit?: number;
  }): Promise<MemoryEntry[]>;
  /** True when an entry was removed. */
  forget(key: string): Promise<boolean>;
  count(): Promise<number>;
  /** Server-backed memories: resolves when the server answers (for /health). */
  ping?(): Promise<void>;
  /** Retention (optional for a backend): deletes one batch of entries the rules allow; how many. */
  prune?(options: PruneOptions): Promise<number>;
  close(): Promise<void>;
}
