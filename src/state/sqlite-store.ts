import type Database from 'better-sqlite3';
import { openSqliteFile } from './sqlite-file.js';
import { addToCounter, assertAmount, assertStateName, assertTtl } from './state-arguments.js';
import { stepSlidingWindow } from './sliding-window.js';
import {
  DEFAULT_NAMESPACE_MAX_KEYS,
  type NamespaceOptions,
  type SlidingWindowOptions,
  type SlidingWindowResult,
  type StateEntry,
  type StateStore,
  type StateStoreBaseOptions,
} from './types.js';

/** Options of the SQLite store. */
export interface SqliteStateStoreOptions extends StateStoreBaseOptions {
  /** The database file; created (mode 0600) when missing. */
  path: string;
}

interface Row {
  value: string;
  expiresAt: number | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS state_kv (
  ns TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  expires_at INTEGER,
  touched INTEGER NOT NULL,
  PRIMARY KEY (ns, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS state_kv_lru ON state_kv (ns, touched);
CREATE INDEX IF NOT EXISTS state_kv_expiry ON state_kv (expires_at) WHERE expires_at IS NOT NULL;
`;

/** Window buckets live in the same table under a prefix no valid namespace name can start with. */
const windowNamespace = (bucket: string): string => `#window:${bucket}`;

/** StateStore on one SQLite file: every namespace survives a restart. */
export class SqliteStateStore implements StateStore {
  readonly #db: Database.Database;
  readonly #clock: () => number;
  readonly #defaultMaxKeys: number;
  readonly #maxKeys = new Map<string, number>();
  /** Row count per namespace, loaded lazily, so bounding a namespace needs no COUNT per write. */
  readonly #counts = new Map<string, number>();
  readonly #atomic: (fn: () => unknown) => unknown;
  readonly #sql;
  /** LRU order: a per-process sequence, continued from the file, so ties never happen. */
  #sequence: number;
  #closed = false;

  constructor(options: SqliteStateStoreOptions) {
    this.#clock = options.clock ?? Date.now;
    this.#defaultMaxKeys = options.defaultMaxKeys ?? DEFAULT_NAMESPACE_MAX_KEYS;
    const db = openSqliteFile(options.path);
    this.#db = db;
    db.exec(SCHEMA);
    this.#sql = {
      select: db.prepare<[string, string], Row>(
        'SELECT value, expires_at AS expiresAt FROM state_kv WHERE ns = ? AND key = ?',
      ),
      touch: db.prepare<[number, string, string]>(
        'UPDATE state_kv SET touched = ? WHERE ns = ? AND key = ?',
      ),
      upsert: db.prepare<[string, string, string, number | null, number]>(
        `INSERT INTO state_kv (ns, key, value, expires_at, touched) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value,
           expires_at = excluded.expires_at, touched = excluded.touched`,
      ),
      updateValue: db.prepare<[string, number, string, string]>(
        'UPDATE state_kv SET value = ?, touched = ? WHERE ns = ? AND key = ?',
      ),
      remove: db.prepare<[string, string]>('DELETE FROM state_kv WHERE ns = ? AND key = ?'),
      count: db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM state_kv WHERE ns = ?'),
      evict: db.prepare<[string, string, number]>(
        `DELETE FROM state_kv WHERE ns = ? AND key IN
           (SELECT key FROM state_kv WHERE ns = ? ORDER BY touched LIMIT ?)`,
      ),
      list: db.prepare<[string, number], StateEntry>(
        `SELECT key, value, expires_at AS expiresAt FROM state_kv
         WHERE ns = ? AND (expires_at IS NULL OR expires_at > ?)`,
      ),
      sweep: db.prepare<[number], { ns: string }>(
        'DELETE FROM state_kv WHERE expires_at IS NOT NULL AND expires_at <= ? RETURNING ns',
      ),
    };
    const last = db
      .prepare<[], { t: number | null }>('SELECT MAX(touched) AS t FROM state_kv')
      .get();
    this.#sequence = last?.t ?? 0;
    this.#atomic = db.transaction((fn: () => unknown) => fn());
  }

  declareNamespace(ns: string, options: NamespaceOptions): void {
    assertStateName(ns);
    this.#maxKeys.set(ns, options.maxKeys ?? this.#defaultMaxKeys);
    this.#run(() => this.#evictOverflow(ns));
  }

  async slidingWindowHit(
    bucket: string,
    key: string,
    options: SlidingWindowOptions,
  ): Promise<SlidingWindowResult> {
    assertStateName(bucket);
    const ns = windowNamespace(bucket);
    const now = options.now ?? this.#clock();
    return this.#run(() => {
      const row = this.#live(ns, key, now);
      const previous = row === undefined ? [] : (JSON.parse(row.value) as number[]);
      const step = stepSlidingWindow(previous, options.limit, options.windowMs, now);
      const newest = step.hits[step.hits.length - 1] ?? now;
      // A window expires with its newest hit, so sweep() removes stale windows like any entry.
      this.#write(
        ns,
        key,
        JSON.stringify(step.hits),
        newest + options.windowMs,
        row === undefined,
        options.maxKeys,
      );
      return step.result;
    });
  }

  async get(ns: string, key: string): Promise<string | undefined> {
    assertStateName(ns);
    return this.#run(() => {
      const row = this.#live(ns, key, this.#clock());
      if (row !== undefined) this.#sql.touch.run(this.#next(), ns, key);
      return row?.value;
    });
  }

  async set(ns: string, key: string, value: string, ttlMs?: number): Promise<void> {
    assertStateName(ns);
    if (ttlMs !== undefined) assertTtl(ttlMs);
    this.#run(() => {
      const now = this.#clock();
      const isNew = this.#live(ns, key, now) === undefined;
      this.#write(ns, key, value, ttlMs === undefined ? null : now + ttlMs, isNew);
    });
  }

  async setIfAbsent(ns: string, key: string, value: string, ttlMs: number): Promise<boolean> {
    assertStateName(ns);
    assertTtl(ttlMs);
    return this.#run(() => {
      const now = this.#clock();
      if (this.#live(ns, key, now) !== undefined) return false;
      this.#write(ns, key, value, now + ttlMs, true);
      return true;
    });
  }

  async delete(ns: string, key: string): Promise<boolean> {
    assertStateName(ns);
    return this.#run(() => {
      if (this.#live(ns, key, this.#clock()) === undefined) return false;
      return this.#remove(ns, key);
    });
  }

  async deleteIfValue(ns: string, key: string, expected: string): Promise<boolean> {
    assertStateName(ns);
    return this.#run(() => {
      if (this.#live(ns, key, this.#clock())?.value !== expected) return false;
      return this.#remove(ns, key);
    });
  }

  increment(ns: string, key: string, ttlMs: number): Promise<number> {
    return this.incrementBy(ns, key, 1, ttlMs);
  }

  async incrementBy(ns: string, key: string, amount: number, ttlMs: number): Promise<number> {
    assertStateName(ns);
    assertAmount(amount);
    assertTtl(ttlMs);
    // Read and write in one transaction: another connection to the file cannot interleave.
    return this.#run(() => {
      const now = this.#clock();
      const row = this.#live(ns, key, now);
      if (row === undefined) {
        this.#write(ns, key, String(amount), now + ttlMs, true);
        return amount;
      }
      const next = addToCounter(row.value, amount);
      this.#sql.updateValue.run(String(next), this.#next(), ns, key);
      return next;
    });
  }

  async list(ns: string): Promise<StateEntry[]> {
    assertStateName(ns);
    return this.#run(() => this.#sql.list.all(ns, this.#clock()));
  }

  async sweep(now?: number): Promise<number> {
    return this.#run(() => {
      const removed = this.#sql.sweep.all(now ?? this.#clock());
      for (const { ns } of removed) this.#adjustCount(ns, -1);
      return removed.length;
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }

  #run<T>(fn: () => T): T {
    if (this.#closed) throw new Error('State store is closed');
    // One transaction per call: atomic against a crash and one commit instead of several.
    return this.#atomic(fn) as T;
  }

  /** The row when present and unexpired; an expired row is deleted on the way. */
  #live(ns: string, key: string, now: number): Row | undefined {
    const row = this.#sql.select.get(ns, key);
    if (row === undefined) return undefined;
    if (row.expiresAt !== null && row.expiresAt <= now) {
      this.#remove(ns, key);
      return undefined;
    }
    return row;
  }

  #write(
    ns: string,
    key: string,
    value: string,
    expiresAt: number | null,
    isNew: boolean,
    maxKeys?: number,
  ): void {
    this.#sql.upsert.run(ns, key, value, expiresAt, this.#next());
    if (!isNew) return;
    this.#adjustCount(ns, 1);
    this.#evictOverflow(ns, maxKeys);
  }

  #evictOverflow(ns: string, maxKeys?: number): void {
    const max = maxKeys ?? this.#maxKeys.get(ns) ?? this.#defaultMaxKeys;
    const overflow = this.#count(ns) - max;
    if (overflow <= 0) return;
    const { changes } = this.#sql.evict.run(ns, ns, overflow);
    this.#adjustCount(ns, -changes);
  }

  #remove(ns: string, key: string): boolean {
    const { changes } = this.#sql.remove.run(ns, key);
    this.#adjustCount(ns, -changes);
    return changes > 0;
  }

  #count(ns: string): number {
    let count = this.#counts.get(ns);
    if (count === undefined) {
      count = this.#sql.count.get(ns)?.n ?? 0;
      this.#counts.set(ns, count);
    }
    return count;
  }

  #adjustCount(ns: string, delta: number): void {
    const count = this.#counts.get(ns);
    // Not loaded yet: the next #count() reads the true number from the table.
    if (count !== undefined) this.#counts.set(ns, count + delta);
  }

  #next(): number {
    this.#sequence += 1;
    return this.#sequence;
  }
}

/** Opens the SQLite store; every namespace in it is durable. */
export function createSqliteStateStore(options: SqliteStateStoreOptions): SqliteStateStore {
  return new SqliteStateStore(options);
}
