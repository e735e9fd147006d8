import { connectRedis, createRedisClient } from './redis-client.js';
import { createRedisStateEvents } from './redis-events.js';
import { createRedisStateStore } from './redis-store.js';
import {
  StateConnectError,
  type CreateStateStoreOptions,
  type StateBackend,
} from './state-backend.js';

/** Connects to the `[state]` Redis and opens the shared store and its cross-instance events. */
export async function openRedisState(options: CreateStateStoreOptions): Promise<StateBackend> {
  const { config } = options;
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
