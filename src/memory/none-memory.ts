import type { Memory, MemoryEntry } from './types.js';

/** Memory that keeps nothing (`backend = "none"`): every read is empty. */
export class NoneMemory implements Memory {
  readonly backend = 'none';

  async store(): Promise<void> {}

  async history(): Promise<MemoryEntry[]> {
    return [];
  }

  async recall(): Promise<MemoryEntry[]> {
    return [];
  }

  async get(): Promise<MemoryEntry | undefined> {
    return undefined;
  }

  async list(): Promise<MemoryEntry[]> {
    return [];
  }

  async forget(): Promise<boolean> {
    return false;
  }

  async count(): Promise<number> {
    return 0;
  }

  async close(): Promise<void> {}
}

/** Creates the memory that stores nothing. */
export function createNoneMemory(): NoneMemory {
  return new NoneMemory();
}
