import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEmbeddedStateStore, createMemoryStateStore } from '../state/index.js';
import { createRedisStateStore } from '../state/redis-store.js';
import { createTestRedis, type TestRedis } from '../test-support/redis-server.js';
import { BUDGET_NAMESPACE, createTokenBudget, utcDay } from './token-budget.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const NOON = Date.UTC(2026, 0, 15, 12, 0, 0);

describe('createTokenBudget', () => {
  it.each([
    // [spends, budget, used, exhausted]
    [[], 100, 0, false],
    [[40, 59], 100, 99, false],
    [[40, 60], 100, 100, true],
    [[150], 100, 150, true],
    [[0, -5], 100, 0, false],
    [[0.4, 2.6, Number.NaN], 100, 3, false],
  ])('after spending %j of %i: used %i, exhausted %s', async (spends, perDay, used, exhausted) => {
    let now = NOON;
    const store = createMemoryStateStore({ clock: () => now });
    const budget = createTokenBudget({
      store,
      bucket: 'b',
      tokensPerDay: perDay,
      clock: () => now,
    });
    for (const tokens of spends) await budget.spend('alice', tokens);
    now += 1000;
    await expect(budget.status('alice')).resolves.toMatchObject({ used, exhausted });
  });

  it('keeps keys apart and starts each UTC day at zero, with the reset in Retry-After seconds', async () => {
    let now = Date.UTC(2026, 0, 15, 23, 59, 0);
    const store = createMemoryStateStore({ clock: () => now });
    const budget = createTokenBudget({ store, bucket: 'b', tokensPerDay: 10, clock: () => now });
    await budget.spend('alice', 10);
    expect(await budget.status('alice')).toEqual({ used: 10, exhausted: true, resetSecs: 60 });
    expect((await budget.status('bob')).used).toBe(0);
    now = Date.UTC(2026, 0, 16, 0, 0, 1);
    expect((await budget.status('alice')).exhausted).toBe(false);
  });

  it('counts concurrent spends of one key without losing any', async () => {
    const store = createMemoryStateStore();
    const budget = createTokenBudget({ store, bucket: 'b', tokensPerDay: 1000 });
    await Promise.all(Array.from({ length: 20 }, () => budget.spend('k', 5)));
    expect((await budget.status('k')).used).toBe(100);
  });

  it('keeps the count of a UTC day until a day after it ends, whenever the spends came', async () => {
    let now = NOON;
    const store = createMemoryStateStore({ clock: () => now });
    const budget = createTokenBudget({ store, bucket: 'b', tokensPerDay: 100, clock: () => now });
    await budget.spend('alice', 10);
    now = Date.UTC(2026, 0, 15, 23, 0, 0);
    await budget.spend('alice', 5);
    const dayEnds = Date.UTC(2026, 0, 16);
    expect(await store.list(BUDGET_NAMESPACE)).toEqual([
      { key: 'b:2026-01-15:alice', value: '15', expiresAt: dayEnds + 86_400_000 },
    ]);
    now = dayEnds + 86_400_000 - 1;
    expect(await store.get(BUDGET_NAMESPACE, 'b:2026-01-15:alice')).toBe('15');
    now += 1;
    expect(await store.get(BUDGET_NAMESPACE, 'b:2026-01-15:alice')).toBeUndefined();
  });

  it('persists the count across a restart of the embedded store', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-budget-'));
    dirs.push(dir);
    const path = join(dir, 'state.db');
    const first = createEmbeddedStateStore({ path });
    await createTokenBudget({ store: first, bucket: 'b', tokensPerDay: 50 }).spend('alice', 50);
    await first.close();
    const second = createEmbeddedStateStore({ path });
    const status = await createTokenBudget({ store: second, bucket: 'b', tokensPerDay: 50 }).status(
      'alice',
    );
    await second.close();
    expect(status).toMatchObject({ used: 50, exhausted: true });
  });
});

describe('createTokenBudget on a shared Redis (two instances)', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await createTestRedis();
  });
  afterAll(async () => {
    await redis.close();
  });

  it('counts every spend of concurrent turns on two instances, losing none', async () => {
    const prefix = redis.uniquePrefix();
    const stores = [
      createRedisStateStore({ client: await redis.connect(), keyPrefix: prefix }),
      createRedisStateStore({ client: await redis.connect(), keyPrefix: prefix }),
    ];
    try {
      const budgets = stores.map((store) =>
        createTokenBudget({ store, bucket: 'b', tokensPerDay: 1_000_000 }),
      );
      const spends = Array.from({ length: 60 }, (_, i) => 1 + ((i * 37) % 500));
      await Promise.all(spends.map((tokens, i) => budgets[i % 2]?.spend('k', tokens)));
      const total = spends.reduce((sum, tokens) => sum + tokens, 0);
      for (const budget of budgets) expect((await budget.status('k')).used).toBe(total);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
      await redis.deleteKeys(prefix);
    }
  });
});

describe('utcDay', () => {
  it('is the UTC date, not the local one', () => {
    expect(utcDay(Date.UTC(2026, 0, 15, 23, 59, 59))).toBe('2026-01-15');
    expect(utcDay(Date.UTC(2026, 0, 16, 0, 0, 0))).toBe('2026-01-16');
  });
});
