import { createMemoryStateStore } from './memory-store.js';
import { createSqliteStateStore } from './sqlite-store.js';
import type {
  NamespaceOptions,
  SlidingWindowOptions,
  SlidingWindowResult,
  StateEntry,
  StateStore,
  StateStoreBaseOptions,
} from './types.js';

/** Options of the embedded default store. */
export interface EmbeddedStateStoreOptions extends StateStoreBaseOptions {
  /** SQLite file for durable namespaces (e.g. `$GATEHOUSE_HOME/state.db`). */
  path: string;
}

/**
 * The single-process default: windows, counters and short-lived entries in memory (fast, and
 * meaningless after a restart anyway), namespaces declared durable in SQLite.
 */
export class EmbeddedStateStore implements StateStore {
  readonly #memory: StateStore;
  readonly #sqlite: StateStore;
  readonly #durable = new Set<string>();

  constructor(options: EmbeddedStateStoreOptions) {
    const { path, ...base } = options;
    this.#memory = createMemoryStateStore(base);
    this.#sqlite = createSqliteStateStore({ ...base, path });
  }

  declareNamespace(ns: string, options: NamespaceOptions): void {
    if (options.durable) this.#durable.add(ns);
    else this.#durable.delete(ns);
    this.#for(ns).declareNamespace(ns, options);
  }

  slidingWindowHit(
    bucket: string,
    key: string,
    options: SlidingWindowOptions,
  ): Promise<SlidingWindowResult> {
    return this.#memory.slidingWindowHit(bucket, key, options);
  }

  get(ns: string, key: string): Promise<string | undefined> {
    return this.#for(ns).get(ns, key);
  }

  set(ns: string, key: string, value: string, ttlMs?: number): Promise<void> {
    return this.#for(ns).set(ns, key, value, ttlMs);
  }

  setIfAbsent(ns: string, key: string, value: string, ttlMs: number): Promise<boolean> {
    return this.#for(ns).setIfAbsent(ns, key, value, ttlMs);
  }

  delete(ns: string, key: string): Promise<boolean> {
    return this.#for(ns).delete(ns, key);
  }

  deleteIfValue(ns: string, key: string, expected: string): Promise<boolean> {
    return this.#for(ns).deleteIfValue(ns, key, expected);
  }

  increment(ns: string, key: string, ttlMs: number): Promise<number> {
    return this.#for(ns).increment(ns, key, ttlMs);
  }

  incrementBy(ns: string, key: string, amount: number, ttlMs: number): Promise<number> {
    return this.#for(ns).incrementBy(ns, key, amount, ttlMs);
  }

  list(ns: string): Promise<StateEntry[]> {
    return this.#for(ns).list(ns);
  }

  async sweep(now?: number): Promise<number> {
    const [memory, sqlite] = await Promise.all([this.#memory.sweep(now), this.#sqlite.sweep(now)]);
    return memory + sqlite;
  }

  async close(): Promise<void> {
    await Promise.all([this.#memory.close(), this.#sqlite.close()]);
  }

  #for(ns: string): StateStore {
    return this.#durable.has(ns) ? this.#sqlite : this.#memory;
  }
}

/** Creates the embedded default StateStore (memory + SQLite behind one interface). */
export function createEmbeddedStateStore(options: EmbeddedStateStoreOptions): EmbeddedStateStore {
  return new EmbeddedStateStore(options);
}
