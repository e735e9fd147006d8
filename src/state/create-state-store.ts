import type { CreateStateStoreOptions, StateBackend } from './state-backend.js';
import { createLocalStateEvents } from './state-events.js';
import { openHomeStateStore } from './state-file.js';

export { StateConnectError } from './state-backend.js';
export type { CreateStateStoreOptions, StateBackend } from './state-backend.js';

/**
 * The only place that chooses a StateStore: `embedded` (memory + `$GATEHOUSE_HOME/state.db`) or
 * `redis` (shared by every instance with the same `url` and `key_prefix`). The gateway and the
 * CLI both open state through it, so `token revoke` writes where the gateways read.
 */
export async function createStateStore(options: CreateStateStoreOptions): Promise<StateBackend> {
  if (options.config.backend === 'embedded') {
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
  // Loaded on demand: the Redis client is a large module an embedded gateway never needs, and
  // loading it costs start-up time and memory.
  const { openRedisState } = await import('./redis-state.js');
  return openRedisState(options);
}
