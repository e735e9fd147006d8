import { GatewayError } from '../errors.js';
import type { RedisClient } from './redis-client.js';
import { escapeGlob, LuaScript } from './redis-client.js';
import {
  DELETE_SCRIPT,
  GET_SCRIPT,
  INCREMENT_SCRIPT,
  LIST_SCRIPT,
  PRUNE_INDEX_SCRIPT,
  SET_SCRIPT,
  WINDOW_SCRIPT,
} from './redis-scripts.js';
import { assertAmount, assertStateName, assertTtl } from './state-arguments.js';
import {
  DEFAULT_NAMESPACE_MAX_KEYS,
  type NamespaceOptions,
  type SlidingWindowOptions,
  type SlidingWindowResult,
  type StateEntry,
  type StateStore,
} from './types.js';

/** Options of the Redis StateStore. */
export interface RedisStateStoreOptions {
  /** A connected (or connecting) client; see `createRedisClient`. */
  client: RedisClient;
  /** Everything the store writes is under it (`gatehouse:` by default). */
  keyPrefix: string;
  /** Bound for namespaces declared without `maxKeys` (and undeclared ones). */
  defaultMaxKeys?: number;
  /** Whether `close()` also closes the client (false when the caller shares it). */
  ownsClient?: boolean;
}

const scripts = {
  get: new LuaScript(GET_SCRIPT),
  set: new LuaScript(SET_SCRIPT),
  delete: new LuaScript(DELETE_SCRIPT),
  increment: new LuaScript(INCREMENT_SCRIPT),
  list: new LuaScript(LIST_SCRIPT),
  prune: new LuaScript(PRUNE_INDEX_SCRIPT),
  window: new LuaScript(WINDOW_SCRIPT),
};

/**
 * The scale-out StateStore: every method is one Lua script on the shared Redis, so several
 * gateway instances see one set of windows, records and revocations. Every namespace is durable
 * as far as the Redis server's own persistence goes. While Redis is unreachable every call
 * rejects with STATE_UNAVAILABLE: callers fail closed.
 */
export class RedisStateStore implements StateStore {
  readonly #client: RedisClient;
  readonly #prefix: string;
  readonly #defaultMaxKeys: number;
  readonly #ownsClient: boolean;
  readonly #maxKeys = new Map<string, number>();
  #closed = false;

  constructor(options: RedisStateStoreOptions) {
    this.#client = options.client;
    this.#prefix = options.keyPrefix;
    this.#defaultMaxKeys = options.defaultMaxKeys ?? DEFAULT_NAMESPACE_MAX_KEYS;
    this.#ownsClient = options.ownsClient ?? true;
  }

  declareNamespace(ns: string, options: NamespaceOptions): void {
    assertStateName(ns);
    this.#maxKeys.set(ns, options.maxKeys ?? this.#defaultMaxKeys);
  }

  async slidingWindowHit(
    bucket: string,
    key: string,
    options: SlidingWindowOptions,
  ): Promise<SlidingWindowResult> {
    assertStateName(bucket);
    const now = options.now ?? Date.now();
    const reply = (await this.#run(
      scripts.window,
      [
        `${this.#prefix}win:${bucket}|${key}`,
        `${this.#prefix}widx:${bucket}`,
        `${this.#prefix}seq`,
      ],
      [
        String(now),
        String(options.windowMs),
        String(options.limit),
        String(options.maxKeys),
        key,
        `${this.#prefix}win:${bucket}|`,
      ],
    )) as [number, number];
    return { allowed: reply[0] === 1, retryAfterMs: Number(reply[1]) };
  }

  async get(ns: string, key: string): Promise<string | undefined> {
    const reply = await this.#run(scripts.get, this.#keys(ns, key), this.#lru(ns, key));
    return typeof reply === 'string' ? reply : undefined;
  }

  async set(ns: string, key: string, value: string, ttlMs?: number): Promise<void> {
    if (ttlMs !== undefined) assertTtl(ttlMs);
    await this.#write(ns, key, value, ttlMs, false);
  }

  async setIfAbsent(ns: string, key: string, value: string, ttlMs: number): Promise<boolean> {
    assertTtl(ttlMs);
    return this.#write(ns, key, value, ttlMs, true);
  }

  async delete(ns: string, key: string): Promise<boolean> {
    const [value, index] = this.#keys(ns, key);
    return (await this.#run(scripts.delete, [value, index], [key, '', '0'])) === 1;
  }

  async deleteIfValue(ns: string, key: string, expected: string): Promise<boolean> {
    const [value, index] = this.#keys(ns, key);
    return (await this.#run(scripts.delete, [value, index], [key, expected, '1'])) === 1;
  }

  increment(ns: string, key: string, ttlMs: number): Promise<number> {
    return this.incrementBy(ns, key, 1, ttlMs);
  }

  async incrementBy(ns: string, key: string, amount: number, ttlMs: number): Promise<number> {
    assertAmount(amount);
    assertTtl(ttlMs);
    const args = [...this.#lru(ns, key), String(Math.ceil(ttlMs)), String(amount)];
    return Number(await this.#run(scripts.increment, this.#keys(ns, key), args));
  }

  async list(ns: string): Promise<StateEntry[]> {
    assertStateName(ns);
    const now = Date.now();
    const reply = (await this.#run(
      scripts.list,
      [`${this.#prefix}idx:${ns}`],
      [`${this.#prefix}kv:${ns}|`],
    )) as Array<string | number>;
    const entries: StateEntry[] = [];
    for (let i = 0; i + 2 < reply.length; i += 3) {
      const pttl = Number(reply[i + 2]);
      entries.push({
        key: String(reply[i]),
        value: String(reply[i + 1]),
        expiresAt: pttl >= 0 ? now + pttl : null,
      });
    }
    return entries;
  }

  /** Values and windows expire by themselves in Redis; this prunes index entries left behind. */
  async sweep(): Promise<number> {
    this.#assertOpen();
    let removed = 0;
    for (const [kind, valueKind] of [
      ['idx:', 'kv:'],
      ['widx:', 'win:'],
    ] as const) {
      const pattern = `${escapeGlob(this.#prefix + kind)}*`;
      for (const index of await this.#guard(() => this.#scan(pattern))) {
        const name = index.slice(this.#prefix.length + kind.length);
        const valuePrefix = `${this.#prefix}${valueKind}${name}|`;
        removed += Number(await this.#run(scripts.prune, [index], [valuePrefix]));
      }
    }
    return removed;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ownsClient && this.#client.isOpen) await this.#client.close();
  }

  async #write(
    ns: string,
    key: string,
    value: string,
    ttlMs: number | undefined,
    onlyIfAbsent: boolean,
  ): Promise<boolean> {
    const ttl = ttlMs === undefined ? '' : String(Math.ceil(ttlMs));
    const args = [...this.#lru(ns, key), value, ttl, onlyIfAbsent ? '1' : '0'];
    return (await this.#run(scripts.set, this.#keys(ns, key), args)) === 1;
  }

  async #scan(pattern: string): Promise<string[]> {
    const found: string[] = [];
    for await (const keys of this.#client.scanIterator({ MATCH: pattern, COUNT: 200 })) {
      found.push(...keys);
    }
    return found;
  }

  /** Value key, index key and recency counter of one entry. */
  #keys(ns: string, key: string): [string, string, string] {
    assertStateName(ns);
    return [`${this.#prefix}kv:${ns}|${key}`, `${this.#prefix}idx:${ns}`, `${this.#prefix}seq`];
  }

  /** The member, bound and value prefix the LRU part of a script needs. */
  #lru(ns: string, key: string): string[] {
    const max = this.#maxKeys.get(ns) ?? this.#defaultMaxKeys;
    return [key, String(max), `${this.#prefix}kv:${ns}|`];
  }

  #run(script: LuaScript, keys: string[], args: string[]): Promise<unknown> {
    return this.#guard(() => script.run(this.#client, keys, args));
  }

  async #guard<T>(call: () => Promise<T>): Promise<T> {
    this.#assertOpen();
    try {
      return await call();
    } catch (error) {
      if (error instanceof Error && /\bNOTINT\b/.test(error.message)) {
        throw new TypeError('increment() on a key that does not hold an integer');
      }
      // Connection refused, offline client, command timeout: the shared state cannot be read,
      // so the caller must refuse rather than guess.
      throw new GatewayError('STATE_UNAVAILABLE', { cause: error });
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('State store is closed');
  }
}

/** Creates the Redis StateStore over a client. */
export function createRedisStateStore(options: RedisStateStoreOptions): RedisStateStore {
  return new RedisStateStore(options);
}
