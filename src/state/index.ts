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
export { keepTemporaryDataInMemory, openSqliteFile } from './sqlite-file.js';
export { createStateStore, StateConnectError } from './create-state-store.js';
export type { CreateStateStoreOptions, StateBackend } from './create-state-store.js';
export type { StateEvents } from './state-events.js';
// The Redis store is not re-exported: importing it would load the Redis client for every user of
// this module. `createStateStore` loads it on demand; tests import ./redis-store.js directly.
