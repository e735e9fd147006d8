import type { StateConfig } from '../config/schema.js';
import type { RedisClient } from './redis-client.js';
import type { StateEvents } from './state-events.js';
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
