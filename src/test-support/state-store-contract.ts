import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StateStore } from '../state/types.js';

/**
 * What a contract run needs: a fresh, empty store and a way to let time pass. In-process stores
 * advance a fake clock; a server-backed store (Redis) may really wait, so every TTL here is short.
 */
export interface StateStoreHarness {
  store: StateStore;
  /** Lets `ms` pass for the store's TTLs. */
  advance(ms: number): Promise<void>;
  /** Current time on the store's clock (passed as `now` to window hits). */
  now(): number;
  /**
   * Opens a second store over the same shared state (same Redis prefix, same SQLite file), as
   * another gateway instance would; the suite closes it. Absent for a store nothing can share.
   */
  openPeer?(): StateStore | Promise<StateStore>;
  /** Removes files or keys the harness created; the store itself is closed by the suite. */
  cleanup?(): Promise<void>;
}

/** Random positive amounts, so a lost or doubled add shows in the sum. */
function randomAmounts(count: number): number[] {
  return Array.from({ length: count }, () => 1 + Math.floor(Math.random() * 1000));
}

const TTL = 100;

/** The StateStore contract: every implementation (memory, SQLite, embedded, Redis) passes it. */
export function runStateStoreContract(
  name: string,
  createHarness: () => StateStoreHarness | Promise<StateStoreHarness>,
): void {
  describe(`StateStore contract: ${name}`, () => {
    let h: StateStoreHarness;
    let store: StateStore;

    beforeEach(async () => {
      h = await createHarness();
      store = h.store;
    });

    afterEach(async () => {
      await store.close();
      await h.cleanup?.();
    });

    describe('key/value', () => {
      it('returns undefined for a key never written', async () => {
        expect(await store.get('ns', 'missing')).toBeUndefined();
      });

      it('reads back what set wrote, and set replaces the value', async () => {
        await store.set('ns', 'k', 'one');
        expect(await store.get('ns', 'k')).toBe('one');
        await store.set('ns', 'k', 'two');
        expect(await store.get('ns', 'k')).toBe('two');
      });

      it('keeps namespaces apart', async () => {
        await store.set('a', 'k', 'in-a');
        expect(await store.get('b', 'k')).toBeUndefined();
      });

      it('stores arbitrary strings as keys and values', async () => {
        const key = 'ключ \u0000 "quoted" %_* 🔑';
        await store.set('ns', key, '{"json":true}\n');
        expect(await store.get('ns', key)).toBe('{"json":true}\n');
      });

      it('expires an entry once its TTL has passed, not before', async () => {
        await store.set('ns', 'k', 'v', TTL);
        await h.advance(TTL / 2);
        expect(await store.get('ns', 'k')).toBe('v');
        await h.advance(TTL);
        expect(await store.get('ns', 'k')).toBeUndefined();
      });

      it('keeps an entry without TTL as time passes', async () => {
        await store.set('ns', 'k', 'v');
        await h.advance(TTL * 3);
        expect(await store.get('ns', 'k')).toBe('v');
      });

      it('rejects a TTL that is not positive', async () => {
        await expect(store.set('ns', 'k', 'v', 0)).rejects.toThrow(RangeError);
        await expect(store.setIfAbsent('ns', 'k', 'v', -1)).rejects.toThrow(RangeError);
      });

      it('rejects namespace names that could collide with internal keys', async () => {
        await expect(store.get('', 'k')).rejects.toThrow(TypeError);
        await expect(store.get('#window:x', 'k')).rejects.toThrow(TypeError);
      });
    });

    describe('setIfAbsent', () => {
      it('writes only the first time and leaves the first value in place', async () => {
        expect(await store.setIfAbsent('ns', 'k', 'first', TTL)).toBe(true);
        expect(await store.setIfAbsent('ns', 'k', 'second', TTL)).toBe(false);
        expect(await store.get('ns', 'k')).toBe('first');
      });

      it('treats an expired entry as absent', async () => {
        await store.setIfAbsent('ns', 'k', 'first', TTL);
        await h.advance(TTL * 2);
        expect(await store.setIfAbsent('ns', 'k', 'second', TTL)).toBe(true);
        expect(await store.get('ns', 'k')).toBe('second');
      });

      it('lets exactly one of many concurrent callers win', async () => {
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) => store.setIfAbsent('ns', 'race', `v${i}`, TTL)),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
      });
    });

    describe('delete and deleteIfValue', () => {
      it('reports whether a live entry was removed', async () => {
        await store.set('ns', 'k', 'v');
        expect(await store.delete('ns', 'k')).toBe(true);
        expect(await store.delete('ns', 'k')).toBe(false);
        expect(await store.get('ns', 'k')).toBeUndefined();
      });

      it('does not report an expired entry as removed', async () => {
        await store.set('ns', 'k', 'v', TTL);
        await h.advance(TTL * 2);
        expect(await store.delete('ns', 'k')).toBe(false);
      });

      it('removes only while the key still holds the expected value', async () => {
        await store.set('ns', 'k', 'successor');
        expect(await store.deleteIfValue('ns', 'k', 'stale-owner')).toBe(false);
        expect(await store.get('ns', 'k')).toBe('successor');
        expect(await store.deleteIfValue('ns', 'k', 'successor')).toBe(true);
        expect(await store.get('ns', 'k')).toBeUndefined();
      });
    });

    describe('increment', () => {
      it('counts up from 1', async () => {
        expect(await store.increment('ns', 'c', TTL)).toBe(1);
        expect(await store.increment('ns', 'c', TTL)).toBe(2);
        expect(await store.increment('ns', 'c', TTL)).toBe(3);
        expect(await store.get('ns', 'c')).toBe('3');
      });

      it('keeps the expiry set by the first increment, then starts over', async () => {
        await store.increment('ns', 'c', TTL);
        await h.advance(TTL * 0.6);
        expect(await store.increment('ns', 'c', TTL)).toBe(2);
        await h.advance(TTL * 0.6);
        expect(await store.increment('ns', 'c', TTL)).toBe(1);
      });

      it('counts concurrent increments exactly', async () => {
        await Promise.all(Array.from({ length: 20 }, () => store.increment('ns', 'c', 10_000)));
        expect(await store.get('ns', 'c')).toBe('20');
      });

      it('rejects incrementing a key that holds a non-integer', async () => {
        await store.set('ns', 'c', 'not a number');
        await expect(store.increment('ns', 'c', TTL)).rejects.toThrow(TypeError);
      });
    });

    describe('incrementBy', () => {
      it('starts a new key at the amount and adds to an existing one', async () => {
        expect(await store.incrementBy('ns', 'c', 5, TTL)).toBe(5);
        expect(await store.get('ns', 'c')).toBe('5');
        expect(await store.incrementBy('ns', 'c', 7, TTL)).toBe(12);
        expect(await store.increment('ns', 'c', TTL)).toBe(13);
        expect(await store.incrementBy('ns', 'c', 1, TTL)).toBe(14);
        expect(await store.get('ns', 'c')).toBe('14');
      });

      it('adds to a counter that increment started', async () => {
        await store.increment('ns', 'c', TTL);
        expect(await store.incrementBy('ns', 'c', 41, TTL)).toBe(42);
      });

      it('keeps the expiry set by the first add, then starts over at the amount', async () => {
        await store.incrementBy('ns', 'c', 3, TTL);
        await h.advance(TTL * 0.6);
        expect(await store.incrementBy('ns', 'c', 4, TTL)).toBe(7);
        await h.advance(TTL * 0.6);
        expect(await store.get('ns', 'c')).toBeUndefined();
        expect(await store.incrementBy('ns', 'c', 4, TTL)).toBe(4);
      });

      it('keeps counters of different keys and namespaces apart', async () => {
        await store.incrementBy('ns', 'c', 10, TTL);
        expect(await store.incrementBy('ns', 'd', 2, TTL)).toBe(2);
        expect(await store.incrementBy('other', 'c', 3, TTL)).toBe(3);
      });

      it.each([0, -1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1])(
        'rejects the amount %s and leaves the counter alone',
        async (amount) => {
          await store.incrementBy('ns', 'c', 2, TTL);
          await expect(store.incrementBy('ns', 'c', amount, TTL)).rejects.toThrow(RangeError);
          expect(await store.get('ns', 'c')).toBe('2');
        },
      );

      it('rejects a TTL that is not positive', async () => {
        await expect(store.incrementBy('ns', 'c', 1, 0)).rejects.toThrow(RangeError);
      });

      it('rejects adding to a key that holds a non-integer', async () => {
        await store.set('ns', 'c', 'not a number');
        await expect(store.incrementBy('ns', 'c', 3, TTL)).rejects.toThrow(TypeError);
        expect(await store.get('ns', 'c')).toBe('not a number');
      });

      it('sums concurrent adds of random amounts exactly, from two instances where shared', async () => {
        const peer = (await h.openPeer?.()) ?? store;
        try {
          const amounts = randomAmounts(50);
          const totals = await Promise.all(
            amounts.map((amount, i) =>
              (i % 2 === 0 ? store : peer).incrementBy('ns', 'c', amount, 10_000),
            ),
          );
          const sum = amounts.reduce((a, b) => a + b, 0);
          expect(await store.get('ns', 'c')).toBe(String(sum));
          expect(await peer.get('ns', 'c')).toBe(String(sum));
          // Every add saw a distinct running total, the last of them the sum.
          expect(new Set(totals).size).toBe(amounts.length);
          expect(Math.max(...totals)).toBe(sum);
        } finally {
          if (peer !== store) await peer.close();
        }
      });
    });

    describe('list and sweep', () => {
      it('lists the live entries of one namespace with their expiry', async () => {
        await store.set('ns', 'forever', '1');
        await store.set('ns', 'short', '2', TTL);
        // 'gone' expires well before the look and 'short' well after it: a store on real time
        // (Redis) expires a key only after its last millisecond, and timers may fire early.
        await store.set('ns', 'gone', '3', TTL / 4);
        await store.set('other', 'x', '4');
        await h.advance(TTL / 2);
        const entries = await store.list('ns');
        const byKey = new Map(entries.map((e) => [e.key, e]));
        expect([...byKey.keys()].sort()).toEqual(['forever', 'short']);
        expect(byKey.get('forever')?.expiresAt).toBeNull();
        expect(byKey.get('short')?.value).toBe('2');
        expect(byKey.get('short')?.expiresAt).toBeGreaterThan(h.now());
      });

      it('sweep leaves live entries and drops expired ones', async () => {
        await store.set('ns', 'live', '1', TTL * 10);
        await store.set('ns', 'dead', '2', TTL);
        await h.advance(TTL * 2);
        expect(await store.sweep()).toBeGreaterThanOrEqual(0);
        expect(await store.get('ns', 'live')).toBe('1');
        expect((await store.list('ns')).map((e) => e.key)).toEqual(['live']);
      });
    });

    describe('maxKeys', () => {
      it('evicts the least recently used key of a bounded namespace', async () => {
        store.declareNamespace('bounded', { durable: false, maxKeys: 2 });
        await store.set('bounded', 'a', '1');
        await store.set('bounded', 'b', '2');
        expect(await store.get('bounded', 'a')).toBe('1'); // a is now more recent than b
        await store.set('bounded', 'c', '3');
        expect(await store.get('bounded', 'b')).toBeUndefined();
        expect(await store.get('bounded', 'a')).toBe('1');
        expect(await store.get('bounded', 'c')).toBe('3');
      });
    });

    describe('slidingWindowHit', () => {
      const opts = (now: number, limit = 3) => ({ limit, windowMs: TTL, maxKeys: 100, now });

      it('allows exactly `limit` hits in a window and rejects the next', async () => {
        const t = h.now();
        for (let i = 0; i < 3; i += 1) {
          expect(await store.slidingWindowHit('b', 'k', opts(t + i))).toEqual({
            allowed: true,
            retryAfterMs: 0,
          });
        }
        expect(await store.slidingWindowHit('b', 'k', opts(t + 10))).toEqual({
          allowed: false,
          retryAfterMs: TTL - 10,
        });
      });

      it('does not count rejected hits', async () => {
        const t = h.now();
        await store.slidingWindowHit('b', 'k', opts(t, 1));
        for (let i = 1; i < 20; i += 1) {
          expect((await store.slidingWindowHit('b', 'k', opts(t + i, 1))).allowed).toBe(false);
        }
        // Only the first hit was counted, so the window frees up as soon as it ages out.
        expect((await store.slidingWindowHit('b', 'k', opts(t + TTL, 1))).allowed).toBe(true);
      });

      it('slides: each hit frees its slot when it leaves the window', async () => {
        const t = h.now();
        await store.slidingWindowHit('b', 'k', opts(t, 2));
        await store.slidingWindowHit('b', 'k', opts(t + 50, 2));
        expect((await store.slidingWindowHit('b', 'k', opts(t + 99, 2))).allowed).toBe(false);
        expect((await store.slidingWindowHit('b', 'k', opts(t + 100, 2))).allowed).toBe(true);
        const blocked = await store.slidingWindowHit('b', 'k', opts(t + 120, 2));
        expect(blocked).toEqual({ allowed: false, retryAfterMs: 30 });
      });

      it('keeps keys and buckets apart', async () => {
        const t = h.now();
        await store.slidingWindowHit('b', 'k', opts(t, 1));
        expect((await store.slidingWindowHit('b', 'other', opts(t, 1))).allowed).toBe(true);
        expect((await store.slidingWindowHit('b2', 'k', opts(t, 1))).allowed).toBe(true);
      });

      it('forgets the least recently used key past maxKeys, which then gets a fresh window', async () => {
        const t = h.now();
        const o = { limit: 1, windowMs: TTL, maxKeys: 2, now: t };
        await store.slidingWindowHit('lru', 'a', o);
        await store.slidingWindowHit('lru', 'b', o);
        expect((await store.slidingWindowHit('lru', 'a', o)).allowed).toBe(false);
        await store.slidingWindowHit('lru', 'c', o); // evicts b, the least recently used
        expect((await store.slidingWindowHit('lru', 'b', o)).allowed).toBe(true);
      });
    });

    describe('close', () => {
      it('is idempotent and later calls reject', async () => {
        await store.close();
        await store.close();
        await expect(store.get('ns', 'k')).rejects.toThrow();
      });
    });
  });
}
