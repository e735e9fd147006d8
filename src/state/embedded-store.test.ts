import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeClock } from '../test-support/fake-clock.js';
import { runStateStoreContract } from '../test-support/state-store-contract.js';
import { createEmbeddedStateStore } from './embedded-store.js';

runStateStoreContract('embedded (memory namespaces)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-state-'));
  const clock = createFakeClock();
  return {
    store: createEmbeddedStateStore({ path: path.join(dir, 'state.db'), clock: clock.now }),
    advance: async (ms) => clock.advance(ms),
    now: clock.now,
    cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
});

runStateStoreContract('embedded (durable namespaces)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-state-'));
  const clock = createFakeClock();
  const file = path.join(dir, 'state.db');
  const open = () => {
    const store = createEmbeddedStateStore({ path: file, clock: clock.now });
    for (const ns of ['ns', 'a', 'b', 'other']) store.declareNamespace(ns, { durable: true });
    return store;
  };
  return {
    store: open(),
    advance: async (ms) => clock.advance(ms),
    now: clock.now,
    openPeer: open,
    cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
});

describe('EmbeddedStateStore', () => {
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-state-'));
  });

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps durable namespaces across a restart and forgets in-memory ones', async () => {
    const file = path.join(dir, 'state.db');
    const first = createEmbeddedStateStore({ path: file });
    first.declareNamespace('records', { durable: true });
    await first.set('records', 'k', 'kept');
    await first.set('tickets', 'k', 'lost');
    await first.slidingWindowHit('pair', 'client', { limit: 1, windowMs: 60_000, maxKeys: 10 });
    await first.close();

    const second = createEmbeddedStateStore({ path: file });
    second.declareNamespace('records', { durable: true });
    expect(await second.get('records', 'k')).toBe('kept');
    expect(await second.get('tickets', 'k')).toBeUndefined();
    const hit = await second.slidingWindowHit('pair', 'client', {
      limit: 1,
      windowMs: 60_000,
      maxKeys: 10,
    });
    expect(hit.allowed).toBe(true);
    await second.close();
  });

  it('sweeps both halves', async () => {
    const clock = createFakeClock();
    const store = createEmbeddedStateStore({ path: path.join(dir, 's.db'), clock: clock.now });
    store.declareNamespace('durable', { durable: true });
    await store.set('durable', 'k', 'v', 10);
    await store.set('volatile', 'k', 'v', 10);
    clock.advance(10);
    expect(await store.sweep()).toBe(2);
    await store.close();
  });
});
