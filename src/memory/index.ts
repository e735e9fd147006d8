export type { Memory, MemoryCategory, MemoryEntry, MemoryRole, StoreOptions } from './types.js';
export { createMemory } from './create-memory.js';
export type { CreateMemoryOptions } from './create-memory.js';
export { SqliteMemory, createSqliteMemory } from './sqlite-memory.js';
export type { SqliteMemoryOptions } from './sqlite-memory.js';
export type { RecallMode } from './sqlite-memory-schema.js';
export { NoneMemory, createNoneMemory } from './none-memory.js';
export { PostgresMemory, createPostgresMemory } from './postgres-memory.js';
export type { PostgresMemoryOptions } from './postgres-memory.js';
