import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import { createTestRedis, type TestRedis } from '../test-support/redis-server.js';
import { freePort } from '../test-support/free-port.js';
import { createStateStore, StateConnectError } from './create-state-store.js';
import { EmbeddedStateStore } from './embedded-store.js';
import { RedisStateStore } from './redis-store.js';
import { reconnectDelayMs } from './redis-client.js';

let redis: TestRedis;
let home: string;
beforeAll(async () => {
  redis = await createTestRedis();
  home = mkdtempSync(join(tmpdir(), 'gatehouse-state-factory-'));
});
afterAll(async () => {
  await redis.close();
  rmSync(home, { recursive: true, force: true });
});

const stateConfig = (input: unknown) => configSchema.parse({ state: input }).state;

describe('createStateStore', () => {
  it('opens the embedded store by default', async () => {
    const state = await createStateStore({ config: stateConfig({}), home });
    expect(state.kind).toBe('embedded');
    expect(state.store).toBeInstanceOf(EmbeddedStateStore);
    await state.close();
  });

  it('opens Redis under the key prefix, with events delivered across connections', async () => {
    const prefix = redis.uniquePrefix();
    const config = stateConfig({ backend: 'redis', url: redis.url, key_prefix: prefix });
    const a = await createStateStore({ config, home });
    const b = await createStateStore({ config, home });
    expect(a.store).toBeInstanceOf(RedisStateStore);
    const received: string[] = [];
    await b.events.subscribe('test', (message) => received.push(message));
    await a.events.publish('test', 'hello');
    await expect.poll(() => received).toEqual(['hello']);
    await a.store.set('ns', 'k', 'v');
    expect(await b.store.get('ns', 'k')).toBe('v');
    await Promise.all([a.close(), b.close()]);
    await redis.deleteKeys(prefix);
  });

  it('refuses to start when Redis cannot be reached, naming the key', async () => {
    const config = stateConfig({ backend: 'redis', url: `redis://127.0.0.1:${await freePort()}` });
    const error = await createStateStore({ config, home, connectTimeoutMs: 300 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StateConnectError);
    expect(String(error)).toContain('state.url');
  });
});

describe('reconnectDelayMs', () => {
  it.each([
    [0, 0.5, 50],
    [1, 0.5, 100],
    [5, 0.5, 1600],
    [6, 0.5, 2000],
    [50, 0.5, 2000],
    [0, 0, 38],
    [6, 1, 2500],
  ])('retry %i with jitter %f waits %i ms', (retries, random, ms) => {
    expect(reconnectDelayMs(retries, () => random)).toBe(ms);
  });
});
