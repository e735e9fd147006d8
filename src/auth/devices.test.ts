import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEmbeddedStateStore } from '../state/embedded-store.js';
import type { Principal } from '../core/types.js';
import {
  createDeviceBook,
  declareDevicesNamespace,
  parseDeviceName,
  touchingDevices,
} from './devices.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function openStore() {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-devices-'));
  dirs.push(dir);
  const path = join(dir, 'state.db');
  const store = createEmbeddedStateStore({ path });
  declareDevicesNamespace(store);
  return { store, path };
}

const HASH = `abcdef012345${'9'.repeat(52)}`;

describe('parseDeviceName', () => {
  it.each<[unknown, string | undefined]>([
    ['Phone', 'Phone'],
    ['  padded  ', 'padded'],
    ['x'.repeat(64), 'x'.repeat(64)],
    ['x'.repeat(65), undefined],
    ['', undefined],
    ['   ', undefined],
    ['bell\u0007', undefined],
    ['line\nbreak', undefined],
    ['c1\u0085', undefined],
    [['a', 'b'], undefined],
    [undefined, undefined],
  ])('%j → %j', (value, expected) => {
    expect(parseDeviceName(value)).toBe(expected);
  });
});

describe('createDeviceBook', () => {
  it('records, touches (written on flush), renames, and survives reopening the store', async () => {
    let now = 1_000;
    const { store, path } = openStore();
    const book = createDeviceBook(store, () => now);
    await book.register(HASH, 'Phone');
    expect(await book.get(HASH)).toEqual({ name: 'Phone', createdAt: 1_000 });

    now = 2_000;
    book.touch(HASH.slice(0, 12));
    expect((await book.get(HASH))?.lastUsedAt).toBeUndefined();
    await book.flush();
    expect(await book.get(HASH)).toEqual({ name: 'Phone', createdAt: 1_000, lastUsedAt: 2_000 });

    await book.rename(HASH, 'Work phone');
    await store.close();
    const reopened = createEmbeddedStateStore({ path });
    declareDevicesNamespace(reopened);
    expect(await createDeviceBook(reopened).get(HASH)).toEqual({
      name: 'Work phone',
      createdAt: 1_000,
      lastUsedAt: 2_000,
    });
    await reopened.close();
  });

  it('names a device paired without a name "unnamed device"', async () => {
    const { store } = openStore();
    const book = createDeviceBook(store, () => 5);
    await book.register(HASH, undefined);
    expect(await book.get(HASH)).toEqual({ name: 'unnamed device', createdAt: 5 });
    await store.close();
  });
});

describe('touchingDevices', () => {
  it.each<[string, string, string[]]>([
    ['touches a paired token by its hash prefix', 'paired:abcdef012345', ['abcdef012345']],
    ['ignores a JWT principal', 'jwt:some-subject', []],
    ['ignores an anonymous principal', 'anonymous', []],
  ])('%s', async (_name, id, expected) => {
    const touched: string[] = [];
    const book = {
      touch: (key: string) => void touched.push(key),
    } as unknown as Parameters<typeof touchingDevices>[1];
    const principal = { id, kind: 'paired' } as unknown as Principal;
    const authenticate = touchingDevices(async () => principal, book);
    expect(await authenticate('Bearer x', 'channels:api')).toBe(principal);
    expect(touched).toEqual(expected);
  });
});
