import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeClock } from '../test-support/fake-clock.js';
import { runStateStoreContract } from '../test-support/state-store-contract.js';
import { createSqliteStateStore } from './sqlite-store.js';

runStateStoreContract('sqlite', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-state-'));
  const clock = createFakeClock();
  const file = path.join(dir, 'state.db');
  return {
    store: createSqliteStateStore({ path: file, clock: clock.now }),
    advance: async (ms) => clock.advance(ms),
    now: clock.now,
    openPeer: () => createSqliteStateStore({ path: file, clock: clock.now }),
    cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
});

describe('SqliteStateStore', () => {
  let dir: string;
  let file: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-state-'));
    file = path.join(dir, 'nested', 'state.db');
  });

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps entries, TTLs and LRU bounds across close and reopen', async () => {
    const clock = createFakeClock();
    const first = createSqliteStateStore({ path: file, clock: clock.now });
    first.declareNamespace('records', { durable: true, maxKeys: 2 });
    await first.set('records', 'a', 'alpha');
    await first.set('records', 'b', 'beta', 1000);
    await first.increment('counters', 'c', 1000);
    await first.close();

    const second = createSqliteStateStore({ path: file, clock: clock.now });
    second.declareNamespace('records', { durable: true, maxKeys: 2 });
    expect(await second.get('records', 'a')).toBe('alpha');
    expect(await second.get('records', 'b')).toBe('beta');
    expect(await second.increment('counters', 'c', 1000)).toBe(2);
    // The bound still holds after reopening: b became least recent once a was read before it.
    await second.get('records', 'a');
    await second.set('records', 'c', 'gamma');
    expect(await second.get('records', 'b')).toBeUndefined();
    clock.advance(2000);
    expect(await second.get('counters', 'c')).toBeUndefined();
    await second.close();
  });

  it('creates the file readable by its owner only, in WAL mode', async () => {
    const store = createSqliteStateStore({ path: file });
    await store.set('ns', 'k', 'v');
    if (process.platform !== 'win32') {
      expect(fs.statSync(file).mode & 0o077).toBe(0);
    }
    expect(fs.existsSync(`${file}-wal`)).toBe(true);
    await store.close();
  });

  it('sweep removes expired entries and stale windows and reports how many', async () => {
    const clock = createFakeClock();
    const store = createSqliteStateStore({ path: file, clock: clock.now });
    await store.set('ns', 'dead', 'x', 10);
    await store.set('ns', 'live', 'x');
    await store.slidingWindowHit('b', 'old', { limit: 5, windowMs: 1000, maxKeys: 10 });
    clock.advance(1000);
    expect(await store.sweep()).toBe(2);
    expect(await store.sweep()).toBe(0);
    expect(await store.get('ns', 'live')).toBe('x');
    await store.close();
  });
});
