export type {
  NamespaceOptions,
  SlidingWindowOptions,
  SlidingWindowResult,
  StateEntry,
  StateStore,
  StateStoreBaseOptions,
} from './types.js';
export { DEFAULT_NAMESPACE_MAX_KEYS } from './types.js';
export { MemoryStateStore, createMemoryStateStore } from './memory-store.js';
export { SqliteStateStore, createSqliteStateStore } from './sqlite-store.js';
export type { SqliteStateStoreOptions } from './sqlite-store.js';
export { EmbeddedStateStore, createEmbeddedStateStore } from './embedded-store.js';
export type { EmbeddedStateStoreOptions } from './embedded-store.js';
export { openSqliteFile } from './sqlite-file.js';
export { createStateStore, StateConnectError } from './create-state-store.js';
export type { CreateStateStoreOptions, StateBackend } from './create-state-store.js';
export type { StateEvents } from './state-events.js';
export { RedisStateStore, createRedisStateStore } from './redis-store.js';
export type { RedisStateStoreOptions } from './redis-store.js';
