import { describe, expect, it } from 'vitest';
import { createFakeClock } from '../test-support/fake-clock.js';
import { runStateStoreContract } from '../test-support/state-store-contract.js';
import { createMemoryStateStore } from './memory-store.js';

runStateStoreContract('memory', () => {
  const clock = createFakeClock();
  return {
    store: createMemoryStateStore({ clock: clock.now }),
    advance: async (ms) => clock.advance(ms),
    now: clock.now,
  };
});

describe('MemoryStateStore', () => {
  it('sweep counts expired entries and stale windows it removed', async () => {
    const clock = createFakeClock();
    const store = createMemoryStateStore({ clock: clock.now });
    await store.set('ns', 'dead', 'x', 10);
    await store.set('ns', 'live', 'x', 1000);
    await store.slidingWindowHit('b', 'old', { limit: 5, windowMs: 60_000, maxKeys: 10 });
    clock.advance(30_000);
    await store.slidingWindowHit('b', 'recent', { limit: 5, windowMs: 60_000, maxKeys: 10 });
    clock.advance(31_000);
    expect(await store.sweep()).toBe(3); // dead, live (TTL passed too) and the stale window "old"
    expect(await store.sweep()).toBe(0);
    await store.close();
  });

  it('bounds undeclared namespaces by defaultMaxKeys', async () => {
    const store = createMemoryStateStore({ defaultMaxKeys: 3 });
    for (const key of ['a', 'b', 'c', 'd']) await store.set('ns', key, key);
    expect((await store.list('ns')).map((e) => e.key).sort()).toEqual(['b', 'c', 'd']);
    await store.close();
  });

  it('re-bounds a namespace declared with a smaller maxKeys, keeping the most recent keys', async () => {
    const store = createMemoryStateStore();
    for (const key of ['a', 'b', 'c']) await store.set('ns', key, key);
    store.declareNamespace('ns', { durable: false, maxKeys: 2 });
    expect((await store.list('ns')).map((e) => e.key).sort()).toEqual(['b', 'c']);
    await store.close();
  });
});
