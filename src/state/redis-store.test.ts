import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isGatewayError } from '../errors.js';
import { runStateStoreContract } from '../test-support/state-store-contract.js';
import { createTestRedis, type TestRedis } from '../test-support/redis-server.js';
import { createRedisStateStore } from './redis-store.js';

let redis: TestRedis;
beforeAll(async () => {
  redis = await createTestRedis();
});
afterAll(async () => {
  await redis.close();
});

runStateStoreContract('redis', async () => {
  const prefix = redis.uniquePrefix();
  const client = await redis.connect();
  return {
    store: createRedisStateStore({ client, keyPrefix: prefix }),
    advance: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: Date.now,
    openPeer: async () =>
      createRedisStateStore({ client: await redis.connect(), keyPrefix: prefix }),
    cleanup: () => redis.deleteKeys(prefix),
  };
});

describe('RedisStateStore', () => {
  it('keeps every key under its prefix', async () => {
    const prefix = redis.uniquePrefix();
    const store = createRedisStateStore({ client: await redis.connect(), keyPrefix: prefix });
    await store.set('ns', 'k', 'v');
    await store.slidingWindowHit('b', 'k', { limit: 1, windowMs: 1000, maxKeys: 10 });
    const keys = await redis.keys(prefix);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((key) => key.startsWith(prefix))).toBe(true);
    await store.close();
    await redis.deleteKeys(prefix);
  });

  it('shares state between two stores with the same prefix (two instances)', async () => {
    const prefix = redis.uniquePrefix();
    const a = createRedisStateStore({ client: await redis.connect(), keyPrefix: prefix });
    const b = createRedisStateStore({ client: await redis.connect(), keyPrefix: prefix });
    const opts = { limit: 3, windowMs: 60_000, maxKeys: 100 };
    const hits = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b).slidingWindowHit('w', 'c', opts)),
    );
    expect(hits.filter((hit) => hit.allowed)).toHaveLength(3);
    expect(await a.setIfAbsent('ns', 'once', 'a', 10_000)).toBe(true);
    expect(await b.setIfAbsent('ns', 'once', 'b', 10_000)).toBe(false);
    await Promise.all([a.close(), b.close()]);
    await redis.deleteKeys(prefix);
  });

  it('sweep prunes index entries whose values expired', async () => {
    const prefix = redis.uniquePrefix();
    const store = createRedisStateStore({ client: await redis.connect(), keyPrefix: prefix });
    await store.set('ns', 'short', 'v', 20);
    await store.set('ns', 'long', 'v', 60_000);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(await store.sweep()).toBe(1);
    expect(await store.sweep()).toBe(0);
    await store.close();
    await redis.deleteKeys(prefix);
  });

  it('rejects with STATE_UNAVAILABLE while the server cannot be reached', async () => {
    const client = await redis.connect();
    const store = createRedisStateStore({ client, keyPrefix: redis.uniquePrefix() });
    client.destroy();
    const error: unknown = await store.get('ns', 'k').catch((e: unknown) => e);
    expect(isGatewayError(error) && error.code).toBe('STATE_UNAVAILABLE');
    await store.close();
  });
});
