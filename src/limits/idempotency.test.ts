import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEmbeddedStateStore } from '../state/embedded-store.js';
import { createMemoryStateStore } from '../state/memory-store.js';
import type { StateStore } from '../state/types.js';
import { createFakeClock } from '../test-support/fake-clock.js';
import { createIdempotency, idempotencyStorageKey } from './idempotency.js';
import type { Idempotency, IdempotencyClaim, IdempotencyRecord } from './types.js';

const answer: IdempotencyRecord = { response: 'hello back', model: 'echo' };
const never = (): AbortSignal => new AbortController().signal;

function expectNew(claim: IdempotencyClaim): Extract<IdempotencyClaim, { kind: 'new' }> {
  if (claim.kind !== 'new') throw new Error(`expected a new claim, got ${claim.kind}`);
  return claim;
}

/** Runs a request the way the core does: claim, then call the "LLM" only for a new claim. */
async function handle(
  idem: Idempotency,
  principal: string,
  key: string,
  llm: () => Promise<IdempotencyRecord>,
): Promise<{ kind: string; record: IdempotencyRecord }> {
  const claim = await idem.claim(principal, key, never());
  if (claim.kind === 'duplicate') return claim;
  try {
    const record = await llm();
    await claim.complete(record);
    return { kind: 'new', record };
  } catch (error) {
    await claim.release();
    throw error;
  }
}

const stores: StateStore[] = [];
const dirs: string[] = [];

function memoryStore(clock = createFakeClock()): StateStore {
  const store = createMemoryStateStore({ clock: clock.now });
  stores.push(store);
  return store;
}

afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('createIdempotency', () => {
  it('replays the completed answer to a duplicate', async () => {
    const idem = createIdempotency({ store: memoryStore(), ttlMs: 60_000, maxKeys: 10 });
    const first = expectNew(await idem.claim('paired:a', 'k', never()));
    await first.complete(answer);
    expect(await idem.claim('paired:a', 'k', never())).toEqual({
      kind: 'duplicate',
      record: answer,
    });
  });

  it('forgets an answer once its TTL has passed', async () => {
    const clock = createFakeClock();
    const idem = createIdempotency({ store: memoryStore(clock), ttlMs: 60_000, maxKeys: 10 });
    await expectNew(await idem.claim('p', 'k', never())).complete(answer);
    clock.advance(59_999);
    expect((await idem.claim('p', 'k', never())).kind).toBe('duplicate');
    clock.advance(1);
    expect((await idem.claim('p', 'k', never())).kind).toBe('new');
  });

  it('evicts the least recently used key at maxKeys', async () => {
    const idem = createIdempotency({ store: memoryStore(), ttlMs: 60_000, maxKeys: 2 });
    for (const key of ['k1', 'k2'])
      await expectNew(await idem.claim('p', key, never())).complete(answer);
    expect((await idem.claim('p', 'k1', never())).kind).toBe('duplicate'); // k2 is now least recent
    await expectNew(await idem.claim('p', 'k3', never())).complete(answer);
    expect((await idem.claim('p', 'k2', never())).kind).toBe('new');
    expect((await idem.claim('p', 'k1', never())).kind).toBe('duplicate');
  });

  it('scopes keys per principal: another principal never sees the answer', async () => {
    const idem = createIdempotency({ store: memoryStore(), ttlMs: 60_000, maxKeys: 10 });
    await expectNew(await idem.claim('paired:alice', 'same-key', never())).complete(answer);
    expect((await idem.claim('paired:bob', 'same-key', never())).kind).toBe('new');
  });

  it.each([
    ['a', 'bc', 'ab', 'c'],
    ['a"', 'b', 'a', '"b'],
    ['', 'x', 'x', ''],
  ])('never maps (%j, %j) and (%j, %j) to one storage key', (p1, k1, p2, k2) => {
    expect(idempotencyStorageKey(p1, k1)).not.toBe(idempotencyStorageKey(p2, k2));
  });

  it('makes a duplicate wait for the running original, and the LLM runs once', async () => {
    const idem = createIdempotency({
      store: memoryStore(),
      ttlMs: 60_000,
      maxKeys: 10,
      pollMs: 60_000,
    });
    let calls = 0;
    let finish: (record: IdempotencyRecord) => void = () => undefined;
    const llm = (): Promise<IdempotencyRecord> => {
      calls += 1;
      return new Promise((resolve) => (finish = resolve));
    };
    const original = handle(idem, 'p', 'k', llm);
    const retry = handle(idem, 'p', 'k', llm);
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toBe(1);
    finish(answer);
    expect(await original).toEqual({ kind: 'new', record: answer });
    expect(await retry).toEqual({ kind: 'duplicate', record: answer });
    expect(calls).toBe(1);
  });

  it('lets a waiting duplicate take over when the original fails', async () => {
    const idem = createIdempotency({
      store: memoryStore(),
      ttlMs: 60_000,
      maxKeys: 10,
      pollMs: 60_000,
    });
    const original = expectNew(await idem.claim('p', 'k', never()));
    const waiting = idem.claim('p', 'k', never());
    await original.release();
    const retry = expectNew(await waiting);
    await retry.complete(answer);
    expect(await idem.claim('p', 'k', never())).toEqual({ kind: 'duplicate', record: answer });
  });

  it('processes a retry after a released failure', async () => {
    const idem = createIdempotency({ store: memoryStore(), ttlMs: 60_000, maxKeys: 10 });
    await expect(
      handle(idem, 'p', 'k', () => Promise.reject(new Error('502 upstream'))),
    ).rejects.toThrow('502 upstream');
    expect(await handle(idem, 'p', 'k', async () => answer)).toEqual({
      kind: 'new',
      record: answer,
    });
  });

  it('ignores a release after complete', async () => {
    const idem = createIdempotency({ store: memoryStore(), ttlMs: 60_000, maxKeys: 10 });
    const claim = expectNew(await idem.claim('p', 'k', never()));
    await claim.complete(answer);
    await claim.release();
    expect((await idem.claim('p', 'k', never())).kind).toBe('duplicate');
  });

  it('rejects a waiting duplicate with the signal reason when it aborts', async () => {
    const idem = createIdempotency({
      store: memoryStore(),
      ttlMs: 60_000,
      maxKeys: 10,
      pollMs: 60_000,
    });
    expectNew(await idem.claim('p', 'k', never()));
    const controller = new AbortController();
    const waiting = idem.claim('p', 'k', controller.signal);
    const reason = new Error('request timed out');
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
  });

  it('rejects at once for an already aborted signal', async () => {
    const idem = createIdempotency({ store: memoryStore(), ttlMs: 60_000, maxKeys: 10 });
    const reason = new Error('gone');
    await expect(idem.claim('p', 'k', AbortSignal.abort(reason))).rejects.toBe(reason);
  });

  it('waits for an original on another instance by polling the shared store', async () => {
    const store = memoryStore();
    const a = createIdempotency({ store, ttlMs: 60_000, maxKeys: 10, pollMs: 5 });
    const b = createIdempotency({ store, ttlMs: 60_000, maxKeys: 10, pollMs: 5 });
    const original = expectNew(await a.claim('p', 'k', never()));
    const waiting = b.claim('p', 'k', never());
    setTimeout(() => void original.complete(answer), 20);
    expect(await waiting).toEqual({ kind: 'duplicate', record: answer });
  });

  it('takes over from an original whose instance crashed once its marker expires', async () => {
    const clock = createFakeClock();
    const store = memoryStore(clock);
    const crashed = createIdempotency({ store, ttlMs: 60_000, maxKeys: 10, inFlightTtlMs: 35_000 });
    expectNew(await crashed.claim('p', 'k', never())); // never settles
    const survivor = createIdempotency({ store, ttlMs: 60_000, maxKeys: 10, pollMs: 5 });
    const waiting = survivor.claim('p', 'k', never());
    clock.advance(35_000);
    expect((await waiting).kind).toBe('new');
  });

  it('keeps answers across a restart of the embedded store', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-idem-'));
    dirs.push(dir);
    const file = path.join(dir, 'state.db');
    const before = createEmbeddedStateStore({ path: file });
    const first = createIdempotency({ store: before, ttlMs: 60_000, maxKeys: 10 });
    await expectNew(await first.claim('p', 'k', never())).complete(answer);
    const pending = expectNew(await first.claim('p', 'in-flight', never()));
    void pending; // the process "dies" with this request running
    await before.close();

    const after = createEmbeddedStateStore({ path: file });
    stores.push(after);
    const second = createIdempotency({ store: after, ttlMs: 60_000, maxKeys: 10 });
    expect(await second.claim('p', 'k', never())).toEqual({ kind: 'duplicate', record: answer });
    // In-flight markers are not durable: the dead request's retry runs at once.
    expect((await second.claim('p', 'in-flight', never())).kind).toBe('new');
  });
});
