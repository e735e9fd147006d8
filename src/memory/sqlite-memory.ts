import type Database from 'better-sqlite3';
import { keepTemporaryDataInMemory, openSqliteFile } from '../state/index.js';
import {
  startSqliteCheckpointer,
  WRITER_AUTOCHECKPOINT_PAGES,
  type SqliteCheckpointer,
} from '../state/sqlite-checkpointer.js';
import {
  ftsMatchExpression,
  likePattern,
  migrateMemorySchema,
  prepareSearchIndex,
  queryTerms,
  INDEX_CHUNK_ROWS,
  type SearchIndex,
  type RecallMode,
} from './sqlite-memory-schema.js';
import { GroupCommit } from './group-commit.js';
import { prepareStoreBatch, type StoreParams } from './sqlite-store-batch.js';
import { isoTimestamp } from '../core/iso-timestamp.js';
import { prepareMemoryPrune } from './sqlite-prune.js';
import { toEntries } from './memory-row.js';
import type {
  Memory,
  MemoryCategory,
  MemoryEntry,
  MemoryRole,
  PruneOptions,
  StoreOptions,
} from './types.js';

/** Options of the SQLite memory. */
export interface SqliteMemoryOptions {
  /** The database file; created (mode 0600) when missing. */
  path: string;
  /** `like` forces the LIKE search (FTS5 is used when available otherwise). */
  recall?: RecallMode;
  /** Epoch-milliseconds clock for `createdAt`. */
  clock?: () => number;
  /** Rows the search index takes per transaction when a recall catches it up (default 500). */
  indexChunkRows?: number;
  /** Told when a background checkpoint fails (the writer then checkpoints itself, later). */
  onCheckpointError?: (message: string) => void;
}

const COLUMNS = 'm.key, m.content, m.category, m.session_id, m.role, m.created_at';

/** A `store` waiting for its group commit. */
interface PendingRow {
  readonly params: StoreParams;
  readonly sessionId: string | null;
  /**
   * What committing this row overwrites, looked up at most once while pending: the stored row's
   * session (null: a row in no session), or false when the key is new. This process changes the
   * file only by a commit or `forget`, and both empty the queue first, so the answer holds while
   * the row waits.
   */
  overwrites?: string | null | false;
}

/**
 * Memory on one SQLite file (WAL); every statement prepared once at open. Stores are group
 * committed: those made in one event-loop turn share one transaction (see GroupCommit), and a read
 * first commits whatever it could observe, so reads always see earlier stores.
 */
export class SqliteMemory implements Memory {
  readonly backend = 'sqlite';
  /** One process owns the file; its reads commit queued stores first when they need them. */
  readonly inProcess = true;
  readonly recallMode: RecallMode;
  readonly #db: Database.Database;
  readonly #clock: () => number;
  readonly #prune: ReturnType<typeof prepareMemoryPrune>;
  readonly #sql;
  readonly #writes: GroupCommit<PendingRow>;
  /** The lazily filled search index (FTS5 only); see prepareSearchIndex. */
  readonly #searchIndex: SearchIndex | undefined;
  /** The catch-up in progress, which recalls share. */
  #indexing: Promise<void> | undefined;
  readonly #startCheckpointer: () => SqliteCheckpointer;
  /** Started by the first commit: a gateway that never writes never runs the thread. */
  #checkpointer: SqliteCheckpointer | undefined;
  #closed = false;

  constructor(options: SqliteMemoryOptions) {
    this.#clock = options.clock ?? Date.now;
    const db = openSqliteFile(options.path);
    // Checkpoints run on a thread of their own (see startSqliteCheckpointer); this bound only
    // matters should that thread fall behind.
    db.pragma(`wal_autocheckpoint = ${WRITER_AUTOCHECKPOINT_PAGES}`);
    this.#startCheckpointer = () => startCheckpointer(options);
    this.#db = db;
    this.recallMode = migrateMemorySchema(db, options.recall ?? 'fts5');
    // For the group commits' statement journals (see keepTemporaryDataInMemory); only after the
    // migration, whose one-off FTS5 rebuild may rewrite the whole index.
    keepTemporaryDataInMemory(db);
    this.#sql = {
      history: db.prepare<[string, number], unknown>(
        // Newest first straight off the (session_id, id) index; reversed in JS, which is cheaper
        // than the temporary B-tree an outer ORDER BY would build.
        `SELECT ${COLUMNS} FROM memories m WHERE m.session_id = ? ORDER BY m.id DESC LIMIT ?`,
      ),
      recall:
        this.recallMode === 'fts5'
          ? db.prepare<[string, number], unknown>(
              `SELECT ${COLUMNS} FROM memories_fts f JOIN memories m ON m.id = f.rowid
               WHERE memories_fts MATCH ? ORDER BY f.rank, m.id DESC LIMIT ?`,
            )
          : db.prepare<[string, number], unknown>(
              `SELECT ${COLUMNS} FROM (
                 SELECT m.*, (SELECT COUNT(*) FROM json_each(?) p
                              WHERE m.content LIKE p.value ESCAPE '\\') AS hits
                 FROM memories m) m
               WHERE m.hits > 0 ORDER BY m.hits DESC, m.id DESC LIMIT ?`,
            ),
      get: db.prepare<[string], unknown>(`SELECT ${COLUMNS} FROM memories m WHERE m.key = ?`),
      list: db.prepare<
        [{ category: string | null; sessionId: string | null; limit: number }],
        unknown
      >(
        `SELECT ${COLUMNS} FROM memories m
         WHERE (@category IS NULL OR m.category = @category)
           AND (@sessionId IS NULL OR m.session_id = @sessionId)
         ORDER BY m.id LIMIT @limit`,
      ),
      forget: db.prepare<[string]>('DELETE FROM memories WHERE key = ?'),
      count: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM memories'),
      sessionOfKey: db
        .prepare<[string], string | null>('SELECT session_id FROM memories WHERE key = ?')
        .pluck(),
    };
    this.#searchIndex =
      this.recallMode === 'fts5'
        ? prepareSearchIndex(db, options.indexChunkRows ?? INDEX_CHUNK_ROWS)
        : undefined;
    const storeBatch = prepareStoreBatch(db);
    this.#writes = new GroupCommit({
      commit: (rows) => {
        storeBatch(rows.map((row) => row.params));
        this.#committed();
      },
    });
    this.#prune = prepareMemoryPrune(db);
  }

  /** Resolves once the store is committed; rejects with its batch's error if that commit failed. */
  async store(
    key: string,
    content: string,
    category: MemoryCategory,
    sessionId: string | null = null,
    role: MemoryRole | null = null,
    options?: StoreOptions,
  ): Promise<void> {
    this.#assertOpen();
    const createdAt = isoTimestamp(this.#clock());
    return this.#writes.enqueue(
      { params: [key, content, category, sessionId, role, createdAt], sessionId },
      options?.deferrable === true,
    );
  }

  /**
   * Reads the session's history with its queued stores, without committing them: those of the
   * session are newer than every committed row, so they follow what the query returns. A queued
   * store that would overwrite a key (moving or rewriting a row in place) is committed first
   * instead, and the history read after it. A turn may read while stores of its conversation
   * (the previous reply, when the next message came first) and of other turns wait for their
   * commit: committing them on the read would put the commit on this turn's path, before its
   * provider call, and shrink every batch to a row or two.
   */
  async history(sessionId: string, limit: number): Promise<MemoryEntry[]> {
    this.#assertOpen();
    if (!(limit >= 1)) return [];
    const wanted = Math.floor(limit);
    const queued = this.#queuedRowsOf(sessionId);
    if (queued === undefined) return this.#committedHistory(sessionId, wanted);
    const rows =
      queued.length < wanted ? this.#sql.history.all(sessionId, wanted - queued.length) : [];
    // No stored row of the session means no queued overwrite can move one out of it.
    if (rows.length > 0 && this.#writes.pending.some((row) => this.#replaces(row, sessionId))) {
      return this.#committedHistory(sessionId, wanted);
    }
    const entries = toEntries(rows).reverse();
    for (const row of queued.length > wanted ? queued.slice(-wanted) : queued) {
      entries.push(queuedEntry(row.params));
    }
    return entries;
  }

  /** The session's last `limit` rows, oldest first, once every queued store is committed. */
  #committedHistory(sessionId: string, limit: number): MemoryEntry[] {
    this.#writes.flush();
    return toEntries(this.#sql.history.all(sessionId, limit)).reverse();
  }

  /**
   * The queued stores of a session, oldest first, when each of them will add a row of its own;
   * undefined when one of them would overwrite a key instead (committed or queued before it).
   */
  #queuedRowsOf(sessionId: string): PendingRow[] | undefined {
    const pending = this.#writes.pending;
    const queued: PendingRow[] = [];
    for (const row of pending) if (row.sessionId === sessionId) queued.push(row);
    if (queued.length === 0) return queued;
    const keys = new Set<string>();
    for (const row of pending) {
      const key = row.params[0];
      if (keys.has(key)) return undefined;
      keys.add(key);
    }
    for (const row of queued) if (this.#overwritten(row) !== false) return undefined;
    return queued;
  }

  async recall(query: string, limit: number): Promise<MemoryEntry[]> {
    this.#assertOpen();
    const terms = queryTerms(query);
    if (terms.length === 0 || !(limit >= 1)) return [];
    this.#writes.flush();
    await this.#indexStoredRows();
    // A close() may have come while this recall waited.
    this.#assertOpen();
    const needle =
      this.recallMode === 'fts5'
        ? ftsMatchExpression(terms)
        : JSON.stringify(terms.map((term) => likePattern(term)));
    return toEntries(this.#sql.recall.all(needle, Math.floor(limit)));
  }

  async get(key: string): Promise<MemoryEntry | undefined> {
    this.#assertOpen();
    this.#writes.flush();
    const row = this.#sql.get.get(key);
    return row === undefined ? undefined : toEntries([row])[0];
  }

  async list(
    options: { category?: MemoryCategory; sessionId?: string; limit?: number } = {},
  ): Promise<MemoryEntry[]> {
    this.#assertOpen();
    this.#writes.flush();
    const limit = options.limit === undefined ? -1 : Math.max(0, Math.floor(options.limit));
    return toEntries(
      this.#sql.list.all({
        category: options.category ?? null,
        sessionId: options.sessionId ?? null,
        limit,
      }),
    );
  }

  async forget(key: string): Promise<boolean> {
    this.#assertOpen();
    this.#writes.flush();
    const removed = this.#sql.forget.run(key).changes > 0;
    if (removed) this.#committed();
    return removed;
  }

  async count(): Promise<number> {
    this.#assertOpen();
    this.#writes.flush();
    return this.#sql.count.get()?.n ?? 0;
  }

  async prune(options: PruneOptions): Promise<number> {
    this.#assertOpen();
    this.#writes.flush();
    const pruned = this.#prune(options);
    if (pruned > 0) this.#committed();
    return pruned;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#writes.flush();
    this.#closed = true;
    await this.#checkpointer?.stop();
    this.#db.close();
  }

  /**
   * Brings the search index up to every row stored so far (stores leave it behind, see
   * sqlite-memory-schema.ts), a chunk at a time with a turn of the event loop between chunks,
   * so a long backlog does not hold other requests. Concurrent recalls share the work.
   */
  async #indexStoredRows(): Promise<void> {
    const searchIndex = this.#searchIndex;
    if (searchIndex === undefined) return;
    const upTo = searchIndex.lastRowId();
    while (searchIndex.indexedUpTo() < upTo) {
      if (this.#indexing === undefined) {
        const indexing = this.#catchUp(searchIndex, upTo);
        this.#indexing = indexing;
        const done = (): void => {
          if (this.#indexing === indexing) this.#indexing = undefined;
        };
        indexing.then(done, done);
      }
      await this.#indexing;
    }
  }

  async #catchUp(searchIndex: SearchIndex, upTo: number): Promise<void> {
    for (;;) {
      const reached = searchIndex.indexNext(upTo);
      this.#committed();
      if (reached) return;
      await new Promise((resolve) => setImmediate(resolve));
      this.#assertOpen();
    }
  }

  /** A commit appended to the WAL: the checkpointer (started on the first) copies it over. */
  #committed(): void {
    this.#checkpointer ??= this.#startCheckpointer();
    this.#checkpointer.committed();
  }

  /** True when committing `row` would overwrite a row of `sessionId` (moving it elsewhere). */
  #replaces(row: PendingRow, sessionId: string): boolean {
    return this.#overwritten(row) === sessionId;
  }

  /** See PendingRow.overwrites. */
  #overwritten(row: PendingRow): string | null | false {
    if (row.overwrites === undefined) {
      const session = this.#sql.sessionOfKey.get(row.params[0]);
      row.overwrites = session === undefined ? false : session;
    }
    return row.overwrites;
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('Memory is closed');
  }
}

/** A queued store as history returns it once committed. */
function queuedEntry([
  key,
  content,
  category,
  sessionId,
  role,
  createdAt,
]: StoreParams): MemoryEntry {
  return { key, content, category, sessionId, role, createdAt };
}

/** Stands in when no thread can be started: the writer's own auto-checkpoint then bounds the WAL. */
const NO_CHECKPOINTER: SqliteCheckpointer = { committed: () => undefined, stop: async () => {} };

function startCheckpointer(options: SqliteMemoryOptions): SqliteCheckpointer {
  const { onCheckpointError } = options;
  try {
    return startSqliteCheckpointer({
      file: options.path,
      ...(onCheckpointError === undefined ? {} : { onError: onCheckpointError }),
    });
  } catch (error) {
    // No thread (a permission model without --allow-worker, say); the commit that got here has
    // succeeded all the same.
    onCheckpointError?.(error instanceof Error ? error.message : String(error));
    return NO_CHECKPOINTER;
  }
}

/** Opens the SQLite memory at `path`. */
export function createSqliteMemory(options: SqliteMemoryOptions): SqliteMemory {
  return new SqliteMemory(options);
}
