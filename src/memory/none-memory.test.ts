import { describe, expect, it } from 'vitest';
import { runMemoryContract } from '../test-support/memory-contract.js';
import { createNoneMemory } from './none-memory.js';

runMemoryContract('none', () => ({ memory: createNoneMemory(), persists: false }));

describe('NoneMemory', () => {
  it('reports its backend as none', () => {
    expect(createNoneMemory().backend).toBe('none');
  });
});
