import { LRUCache } from 'lru-cache';
import { addToCounter, assertAmount, assertStateName, assertTtl } from './state-arguments.js';
import { isWindowStale, stepSlidingWindow } from './sliding-window.js';
import {
  DEFAULT_NAMESPACE_MAX_KEYS,
  type NamespaceOptions,
  type SlidingWindowOptions,
  type SlidingWindowResult,
  type StateEntry,
  type StateStore,
  type StateStoreBaseOptions,
} from './types.js';

interface Slot {
  value: string;
  expiresAt: number | null;
}

interface WindowBucket {
  hits: LRUCache<string, number[]>;
  windowMs: number;
}

/** In-process StateStore: one LRU per namespace and per window bucket, TTLs on a given clock. */
export class MemoryStateStore implements StateStore {
  readonly #clock: () => number;
  readonly #defaultMaxKeys: number;
  readonly #namespaces = new Map<string, LRUCache<string, Slot>>();
  readonly #maxKeys = new Map<string, number>();
  readonly #buckets = new Map<string, WindowBucket>();
  #closed = false;

  constructor(options: StateStoreBaseOptions = {}) {
    this.#clock = options.clock ?? Date.now;
    this.#defaultMaxKeys = options.defaultMaxKeys ?? DEFAULT_NAMESPACE_MAX_KEYS;
  }

  declareNamespace(ns: string, options: NamespaceOptions): void {
    assertStateName(ns);
    const max = options.maxKeys ?? this.#defaultMaxKeys;
    this.#maxKeys.set(ns, max);
    const existing = this.#namespaces.get(ns);
    if (existing !== undefined && existing.max !== max) {
      // Re-bound in place: entries beyond the new bound go least recently used first.
      const resized = new LRUCache<string, Slot>({ max });
      for (const [key, slot] of [...existing.entries()].reverse()) resized.set(key, slot);
      this.#namespaces.set(ns, resized);
    }
  }

  async slidingWindowHit(
    bucket: string,
    key: string,
    options: SlidingWindowOptions,
  ): Promise<SlidingWindowResult> {
    this.#assertOpen();
    assertStateName(bucket);
    const now = options.now ?? this.#clock();
    const state = this.#bucket(bucket, options);
    const step = stepSlidingWindow(state.hits.get(key) ?? [], options.limit, options.windowMs, now);
    state.hits.set(key, step.hits);
    return step.result;
  }

  async get(ns: string, key: string): Promise<string | undefined> {
    return this.#live(ns, key)?.value;
  }

  async set(ns: string, key: string, value: string, ttlMs?: number): Promise<void> {
    this.#assertOpen();
    if (ttlMs !== undefined) assertTtl(ttlMs);
    this.#namespace(ns).set(key, { value, expiresAt: this.#expiry(ttlMs) });
  }

  async setIfAbsent(ns: string, key: string, value: string, ttlMs: number): Promise<boolean> {
    assertTtl(ttlMs);
    if (this.#live(ns, key) !== undefined) return false;
    this.#namespace(ns).set(key, { value, expiresAt: this.#expiry(ttlMs) });
    return true;
  }

  async delete(ns: string, key: string): Promise<boolean> {
    if (this.#live(ns, key) === undefined) return false;
    return this.#namespace(ns).delete(key);
  }

  async deleteIfValue(ns: string, key: string, expected: string): Promise<boolean> {
    if (this.#live(ns, key)?.value !== expected) return false;
    return this.#namespace(ns).delete(key);
  }

  increment(ns: string, key: string, ttlMs: number): Promise<number> {
    return this.incrementBy(ns, key, 1, ttlMs);
  }

  async incrementBy(ns: string, key: string, amount: number, ttlMs: number): Promise<number> {
    assertAmount(amount);
    assertTtl(ttlMs);
    const slot = this.#live(ns, key);
    if (slot === undefined) {
      this.#namespace(ns).set(key, { value: String(amount), expiresAt: this.#expiry(ttlMs) });
      return amount;
    }
    const next = addToCounter(slot.value, amount);
    slot.value = String(next);
    return next;
  }

  async list(ns: string): Promise<StateEntry[]> {
    this.#assertOpen();
    const now = this.#clock();
    const entries: StateEntry[] = [];
    for (const [key, slot] of this.#namespace(ns).entries()) {
      if (!isExpired(slot, now))
        entries.push({ key, value: slot.value, expiresAt: slot.expiresAt });
    }
    return entries;
  }

  async sweep(now: number = this.#clock()): Promise<number> {
    this.#assertOpen();
    let removed = 0;
    for (const cache of this.#namespaces.values()) {
      // Collect first: deleting while a generator walks the LRU list would skip entries.
      const expired = [...cache.entries()].filter(([, slot]) => isExpired(slot, now));
      for (const [key] of expired) if (cache.delete(key)) removed += 1;
    }
    for (const bucket of this.#buckets.values()) {
      const stale = [...bucket.hits.entries()].filter(([, hits]) =>
        isWindowStale(hits, bucket.windowMs, now),
      );
      for (const [key] of stale) if (bucket.hits.delete(key)) removed += 1;
    }
    return removed;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#namespaces.clear();
    this.#buckets.clear();
  }

  #live(ns: string, key: string): Slot | undefined {
    this.#assertOpen();
    const cache = this.#namespace(ns);
    const slot = cache.get(key);
    if (slot === undefined) return undefined;
    if (isExpired(slot, this.#clock())) {
      cache.delete(key);
      return undefined;
    }
    return slot;
  }

  #namespace(ns: string): LRUCache<string, Slot> {
    let cache = this.#namespaces.get(ns);
    if (cache === undefined) {
      assertStateName(ns);
      cache = new LRUCache<string, Slot>({ max: this.#maxKeys.get(ns) ?? this.#defaultMaxKeys });
      this.#namespaces.set(ns, cache);
    }
    return cache;
  }

  #bucket(name: string, options: SlidingWindowOptions): WindowBucket {
    let bucket = this.#buckets.get(name);
    if (bucket === undefined) {
      bucket = { hits: new LRUCache({ max: options.maxKeys }), windowMs: options.windowMs };
      this.#buckets.set(name, bucket);
    }
    bucket.windowMs = options.windowMs;
    return bucket;
  }

  #expiry(ttlMs: number | undefined): number | null {
    return ttlMs === undefined ? null : this.#clock() + ttlMs;
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('State store is closed');
  }
}

/** Creates the in-process store (windows and counters of the embedded default). */
export function createMemoryStateStore(options: StateStoreBaseOptions = {}): MemoryStateStore {
  return new MemoryStateStore(options);
}

function isExpired(slot: Slot, now: number): boolean {
  return slot.expiresAt !== null && slot.expiresAt <= now;
}
