import type { StateConfig } from '../config/schema.js';
import { connectRedis, createRedisClient, type RedisClient } from './redis-client.js';
import { createRedisStateEvents } from './redis-events.js';
import { createRedisStateStore } from './redis-store.js';
import { createLocalStateEvents, type StateEvents } from './state-events.js';
import { openHomeStateStore } from './state-file.js';
import type { StateStore } from './types.js';

/** Options of `createStateStore`: the `[state]` section and where embedded files live. */
export interface CreateStateStoreOptions {
  config: StateConfig;
  /** `$GATEHOUSE_HOME`, for the embedded SQLite file. */
  home: string;
  /** Reachability changes of a server-backed store (for `/health` and the logs). */
  onStatus?: (status: 'ok' | 'down', error?: unknown) => void;
  /** How long start-up waits for Redis before giving up (default 5 s). */
  connectTimeoutMs?: number;
}

/** The chosen shared-state implementation. */
export interface StateBackend {
  kind: StateConfig['backend'];
  store: StateStore;
  events: StateEvents;
  /** The Redis connection and key prefix of the `redis` backend, for the Redis inbox. */
  redis?: { client: RedisClient; keyPrefix: string };
  /** Closes the store and its connections. */
  close(): Promise<void>;
}

/** Thrown when the configured state server cannot be reached at start-up. */
export class StateConnectError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StateConnectError';
  }
}

/**
 * The only place that chooses a StateStore: `embedded` (memory + `$GATEHOUSE_HOME/state.db`) or
 * `redis` (shared by every instance with the same `url` and `key_prefix`). The gateway and the
 * CLI both open state through it, so `token revoke` writes where the gateways read.
 */
export async function createStateStore(options: CreateStateStoreOptions): Promise<StateBackend> {
  const { config } = options;
  if (config.backend === 'embedded') {
    const store = openHomeStateStore(options.home);
    const events = createLocalStateEvents();
    return {
      kind: 'embedded',
      store,
      events,
      close: async () => {
        await events.close();
        await store.close();
      },
    };
  }
  const client = createRedisClient({ url: config.url, onStatus: options.onStatus });
  const connected = await connectRedis(client, options.connectTimeoutMs ?? 5000);
  if (!connected) {
    client.destroy();
    throw new StateConnectError(
      'cannot connect to Redis (state.url): no answer within the timeout',
    );
  }
  const store = createRedisStateStore({ client, keyPrefix: config.key_prefix, ownsClient: false });
  const events = await createRedisStateEvents({ client, keyPrefix: config.key_prefix });
  return {
    kind: 'redis',
    store,
    events,
    redis: { client, keyPrefix: config.key_prefix },
    close: async () => {
      await events.close();
      await store.close();
      if (client.isOpen) await client.close();
    },
  };
}
