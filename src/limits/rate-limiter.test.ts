import { describe, expect, it } from 'vitest';
import { createMemoryStateStore } from '../state/memory-store.js';
import type { StateStore } from '../state/types.js';
import { createFakeClock } from '../test-support/fake-clock.js';
import { createRateLimiter, retryAfterSecs } from './rate-limiter.js';
import type { LimitDecision } from './types.js';

const T0 = Date.UTC(2024, 0, 1);

/** One hit at `at` ms after T0 and the decision it must get. */
type Step = [key: string, at: number, expected: LimitDecision];

const ok: LimitDecision = { allowed: true };
const wait = (retryAfterSecs: number): LimitDecision => ({ allowed: false, retryAfterSecs });

const cases: { name: string; perMinute: number; maxKeys?: number; steps: Step[] }[] = [
  {
    name: 'allows exactly N hits in a minute and rejects hit N+1',
    perMinute: 3,
    steps: [
      ['a', 0, ok],
      ['a', 1, ok],
      ['a', 2, ok],
      ['a', 3, wait(60)],
    ],
  },
  {
    name: 'zero means unlimited',
    perMinute: 0,
    steps: Array.from({ length: 50 }, (_, i): Step => ['a', i, ok]),
  },
  {
    name: 'lets a hit in again once the oldest counted hit leaves the 60 s window',
    perMinute: 2,
    steps: [
      ['a', 0, ok],
      ['a', 30_000, ok],
      ['a', 59_999, wait(1)],
      ['a', 60_000, ok],
      ['a', 60_001, wait(30)],
      ['a', 90_000, ok],
    ],
  },
  {
    name: 'rounds Retry-After up to whole seconds, at least 1',
    perMinute: 1,
    steps: [
      ['a', 0, ok],
      ['a', 500, wait(60)],
      ['a', 58_001, wait(2)],
      ['a', 59_001, wait(1)],
      ['a', 59_999, wait(1)],
    ],
  },
  {
    name: 'does not count rejected requests against the window',
    perMinute: 1,
    steps: [
      ['a', 0, ok],
      ...Array.from({ length: 10 }, (_, i): Step => ['a', 1000 + i * 5000, wait(59 - i * 5)]),
      ['a', 60_000, ok],
    ],
  },
  {
    name: 'keeps a window per client key',
    perMinute: 1,
    steps: [
      ['a', 0, ok],
      ['b', 0, ok],
      ['a', 1, wait(60)],
      ['b', 1, wait(60)],
    ],
  },
  {
    name: 'forgets the least recently used key at max_keys, which gets a fresh window',
    perMinute: 1,
    maxKeys: 2,
    steps: [
      ['a', 0, ok],
      ['b', 1, ok],
      ['a', 2, wait(60)],
      ['c', 3, ok], // evicts b
      ['b', 4, ok], // fresh window; evicts a
      ['c', 5, wait(60)],
      ['a', 6, ok],
    ],
  },
];

describe('createRateLimiter', () => {
  it.each(cases)('$name', async ({ perMinute, maxKeys, steps }) => {
    const store = createMemoryStateStore();
    const limiter = createRateLimiter({
      store,
      bucket: 'webhook',
      perMinute,
      maxKeys: maxKeys ?? 100,
    });
    for (const [key, at, expected] of steps) {
      expect({ key, at, decision: await limiter.hit(key, T0 + at) }).toEqual({
        key,
        at,
        decision: expected,
      });
    }
    await store.close();
  });

  it('touches no state when unlimited', async () => {
    const calls: string[] = [];
    const store = new Proxy(createMemoryStateStore(), {
      get(target, prop, receiver) {
        calls.push(String(prop));
        return Reflect.get(target, prop, receiver) as unknown;
      },
    }) as StateStore;
    const limiter = createRateLimiter({ store, bucket: 'pair', perMinute: 0, maxKeys: 10 });
    await limiter.hit('a');
    expect(calls).toEqual([]);
  });

  it('uses the injected clock when no time is given', async () => {
    const clock = createFakeClock(T0);
    const store = createMemoryStateStore();
    const limiter = createRateLimiter({
      store,
      bucket: 'pair',
      perMinute: 1,
      maxKeys: 10,
      clock: clock.now,
    });
    expect(await limiter.hit('a')).toEqual(ok);
    clock.advance(59_000);
    expect(await limiter.hit('a')).toEqual(wait(1));
    clock.advance(1000);
    expect(await limiter.hit('a')).toEqual(ok);
  });

  it('keeps separate routes apart in one store', async () => {
    const store = createMemoryStateStore();
    const pair = createRateLimiter({ store, bucket: 'pair', perMinute: 1, maxKeys: 10 });
    const webhook = createRateLimiter({ store, bucket: 'webhook', perMinute: 1, maxKeys: 10 });
    expect(await pair.hit('a', T0)).toEqual(ok);
    expect(await webhook.hit('a', T0)).toEqual(ok);
    expect(await pair.hit('a', T0)).toEqual(wait(60));
  });

  it('sweep removes only keys whose hits all left the window', async () => {
    const store = createMemoryStateStore();
    const limiter = createRateLimiter({ store, bucket: 'webhook', perMinute: 5, maxKeys: 10 });
    await limiter.hit('stale', T0);
    await limiter.hit('fresh', T0 + 30_000);
    expect(await store.sweep(T0 + 60_000)).toBe(1);
    expect(await store.sweep(T0 + 60_000)).toBe(0);
    // The fresh key's hit is still counted after the sweep.
    for (let i = 0; i < 4; i += 1) await limiter.hit('fresh', T0 + 60_000);
    expect(await limiter.hit('fresh', T0 + 60_000)).toEqual(wait(30));
  });

  it.each([-1, 1.5, Number.NaN])('rejects perMinute %s', (perMinute) => {
    const store = createMemoryStateStore();
    expect(() => createRateLimiter({ store, bucket: 'b', perMinute, maxKeys: 1 })).toThrow(
      RangeError,
    );
  });
});

describe('retryAfterSecs', () => {
  it.each([
    [0, 1],
    [1, 1],
    [999, 1],
    [1000, 1],
    [1001, 2],
    [60_000, 60],
  ])('%i ms → %i s', (ms, secs) => {
    expect(retryAfterSecs(ms)).toBe(secs);
  });
});
