import { createNoneMemory } from './none-memory.js';
import { createPostgresMemory } from './postgres-memory.js';
import { createSqliteMemory } from './sqlite-memory.js';
import type { Memory } from './types.js';

/** Options mirroring `[memory]`, with the path already resolved against `$GATEHOUSE_HOME`. */
export interface CreateMemoryOptions {
  backend: 'sqlite' | 'postgres' | 'none';
  /** Required for `sqlite`. */
  path?: string;
  /** Required for `postgres`. */
  url?: string;
  clock?: () => number;
  /** Told when a background checkpoint of the SQLite file fails. */
  onCheckpointError?: (message: string) => void;
}

/** Opens the configured Memory backend. */
export function createMemory(options: CreateMemoryOptions): Memory {
  switch (options.backend) {
    case 'none':
      return createNoneMemory();
    case 'sqlite':
      if (options.path === undefined) throw new Error('memory.backend "sqlite" needs a file path');
      return createSqliteMemory({
        path: options.path,
        clock: options.clock,
        ...(options.onCheckpointError === undefined
          ? {}
          : { onCheckpointError: options.onCheckpointError }),
      });
    case 'postgres':
      if (options.url === undefined) throw new Error('memory.backend "postgres" needs memory.url');
      return createPostgresMemory({ url: options.url, clock: options.clock });
  }
}
