import type pg from 'pg';
import { migratePostgresMemory } from './postgres-memory-schema.js';
import { likePattern, queryTerms } from './sqlite-memory-schema.js';
import { toEntries } from './memory-row.js';
import { isoTimestamp } from '../core/iso-timestamp.js';
import type { Memory, MemoryCategory, MemoryEntry, MemoryRole } from './types.js';

/** Options of the PostgreSQL memory. */
export interface PostgresMemoryOptions {
  /** `postgres://user[:password]@host:port/database`. */
  url: string;
  /** Schema to use instead of the user's default search_path (tests use one per run). */
  schema?: string;
  /** Pool size per instance. */
  maxConnections?: number;
  /** How long one query may take before it fails (default QUERY_TIMEOUT_MS). */
  queryTimeoutMs?: number;
  clock?: () => number;
}

/**
 * A query that takes longer fails. A session's stores run one after another and reads wait for
 * them, so without a bound one write stuck on a dead connection would hold up its conversation.
 */
export const QUERY_TIMEOUT_MS = 10_000;

type TimedQuery = pg.QueryConfig<unknown[]> & { query_timeout: number };

const COLUMNS = 'key, content, category, session_id, role, created_at';

/**
 * Memory on PostgreSQL, shared by every instance: one session's turns are one history whichever
 * instance served them. Search counts how many query terms an entry contains (case-insensitive,
 * wildcards escaped), like the SQLite LIKE fallback.
 */
export class PostgresMemory implements Memory {
  readonly backend = 'postgres';
  /** The driver is loaded on first use, so a gateway without PostgreSQL never pays for it. */
  readonly #pool: Promise<pg.Pool>;
  readonly #clock: () => number;
  readonly #queryTimeoutMs: number;
  #closing: Promise<void> | undefined;
  #ready: Promise<void> | undefined;
  #closed = false;
  /** Per session, the last store called and not yet settled (it never rejects). */
  readonly #writing = new Map<string | null, Promise<void>>();

  constructor(options: PostgresMemoryOptions) {
    this.#clock = options.clock ?? Date.now;
    this.#queryTimeoutMs = options.queryTimeoutMs ?? QUERY_TIMEOUT_MS;
    this.#pool = import('pg').then(({ default: driver }) => {
      const pool = new driver.Pool({
        connectionString: options.url,
        max: options.maxConnections ?? 10,
        connectionTimeoutMillis: 5000,
        ...(options.schema === undefined ? {} : { options: `-c search_path=${options.schema}` }),
      });
      // An idle connection dropped by the server is replaced on the next query; without a
      // listener the pool's 'error' event would crash the process.
      pool.on('error', () => undefined);
      return pool;
    });
    // Surfaced by the first call (and by `ready()`), not as an unhandled rejection.
    this.ready().catch(() => undefined);
  }

  /**
   * Resolves once the schema is migrated; rejects when the database is unreachable. A failed
   * attempt is forgotten, so the next call retries: a server that was down at start-up is
   * picked up when it returns, without a restart.
   */
  ready(): Promise<void> {
    this.#ready ??= this.#migrate().catch((error: unknown) => {
      this.#ready = undefined;
      throw error;
    });
    return this.#ready;
  }

  /**
   * Stores of one session run one after another, in the order they were called, so a turn's
   * reply can be stored without waiting for its commit and still land after its question (the
   * row id, which orders history, is taken when the INSERT runs).
   */
  store(
    key: string,
    content: string,
    category: MemoryCategory,
    sessionId: string | null = null,
    role: MemoryRole | null = null,
  ): Promise<void> {
    const createdAt = isoTimestamp(this.#clock());
    const run = async (): Promise<void> => {
      await this.#query(
        `INSERT INTO memories (key, content, category, session_id, role, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (key) DO UPDATE SET content = excluded.content, category = excluded.category,
           session_id = excluded.session_id, role = excluded.role, created_at = excluded.created_at`,
        [key, content, category, sessionId, role, createdAt],
      );
    };
    const previous = this.#writing.get(sessionId);
    const write = previous === undefined ? run() : previous.then(run);
    const settled = write.then(
      () => undefined,
      () => undefined,
    );
    this.#writing.set(sessionId, settled);
    void settled.then(() => {
      if (this.#writing.get(sessionId) === settled) this.#writing.delete(sessionId);
    });
    return write;
  }

  async history(sessionId: string, limit: number): Promise<MemoryEntry[]> {
    await this.#assertReady();
    if (!(limit >= 1)) return [];
    await this.#writing.get(sessionId);
    const rows = await this.#query(
      `SELECT ${COLUMNS} FROM memories WHERE session_id = $1 ORDER BY id DESC LIMIT $2`,
      [sessionId, Math.floor(limit)],
    );
    return toEntries(rows).reverse();
  }

  async recall(query: string, limit: number): Promise<MemoryEntry[]> {
    const terms = queryTerms(query);
    await this.#assertReady();
    if (terms.length === 0 || !(limit >= 1)) return [];
    await this.#stored();
    const rows = await this.#query(
      `SELECT ${COLUMNS} FROM (
         SELECT m.*, (SELECT count(*) FROM unnest($1::text[]) AS p(pattern)
                      WHERE lower(m.content) LIKE p.pattern ESCAPE '\\') AS hits
         FROM memories m) s
       WHERE hits > 0 ORDER BY hits DESC, id DESC LIMIT $2`,
      [terms.map((term) => likePattern(term)), Math.floor(limit)],
    );
    return toEntries(rows);
  }

  async get(key: string): Promise<MemoryEntry | undefined> {
    await this.#stored();
    const rows = await this.#query(`SELECT ${COLUMNS} FROM memories WHERE key = $1`, [key]);
    return rows[0] === undefined ? undefined : toEntries([rows[0]])[0];
  }

  async list(
    options: { category?: MemoryCategory; sessionId?: string; limit?: number } = {},
  ): Promise<MemoryEntry[]> {
    const limit = options.limit === undefined ? null : Math.max(0, Math.floor(options.limit));
    await (options.sessionId === undefined ? this.#stored() : this.#writing.get(options.sessionId));
    const rows = await this.#query(
      `SELECT ${COLUMNS} FROM memories
       WHERE ($1::text IS NULL OR category = $1) AND ($2::text IS NULL OR session_id = $2)
       ORDER BY id LIMIT $3`,
      [options.category ?? null, options.sessionId ?? null, limit],
    );
    return toEntries(rows);
  }

  async forget(key: string): Promise<boolean> {
    await this.#stored();
    const result = await this.#run('DELETE FROM memories WHERE key = $1', [key]);
    return (result.rowCount ?? 0) > 0;
  }

  async count(): Promise<number> {
    await this.#stored();
    const rows = await this.#query('SELECT count(*)::int AS n FROM memories', []);
    return Number((rows[0] as { n?: number } | undefined)?.n ?? 0);
  }

  async ping(): Promise<void> {
    await this.#query('SELECT 1', []);
  }

  /** Writes the stores called before it, then closes the pool; every call gets the same promise. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    // Stores called before close() are written, including one that was queued behind another.
    while (this.#writing.size > 0) await this.#stored();
    this.#closed = true;
    await this.#ready?.catch(() => undefined);
    await (await this.#pool).end();
  }

  /** Resolves once every store called before now has settled (a read sees them all). */
  async #stored(): Promise<void> {
    if (this.#writing.size > 0) await Promise.all(this.#writing.values());
  }

  async #migrate(): Promise<void> {
    const client = await (await this.#pool).connect();
    try {
      await migratePostgresMemory(client);
    } finally {
      client.release();
    }
  }

  async #assertReady(): Promise<void> {
    if (this.#closed) throw new Error('Memory is closed');
    await this.ready();
  }

  async #query(text: string, values: unknown[]): Promise<unknown[]> {
    return (await this.#run(text, values)).rows as unknown[];
  }

  /** One query, failing after the memory's query timeout (a driver option its types leave out). */
  async #run(text: string, values: unknown[]): Promise<pg.QueryResult> {
    await this.#assertReady();
    const config: TimedQuery = { text, values, query_timeout: this.#queryTimeoutMs };
    return (await this.#pool).query(config);
  }
}

/** Opens the PostgreSQL memory; the schema is migrated in the background (see `ready()`). */
export function createPostgresMemory(options: PostgresMemoryOptions): PostgresMemory {
  return new PostgresMemory(options);
}
