import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStateStore, createSqliteStateStore } from '../state/index.js';
import { createRevocationList, declareRevocationNamespace } from './revocations.js';
import { createTokenRegistry, declareTokenRegistryNamespace } from './token-registry.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('createRevocationList', () => {
  it('applies a local revocation at once and notifies listeners', async () => {
    const store = createMemoryStateStore();
    const list = createRevocationList({ store });
    const seen: string[] = [];
    list.onRevoked((jti) => seen.push(jti));
    await list.revoke('a', Date.now() + 60_000);
    expect(list.isRevoked('a')).toBe(true);
    expect(list.isRevoked('b')).toBe(false);
    expect(seen).toEqual(['a']);
  });

  it('sees a revocation written by another process to the same SQLite file on refresh', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-revocations-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'state.db');
    const gatewayStore = createSqliteStateStore({ path });
    const cliStore = createSqliteStateStore({ path });
    cleanups.push(
      () => gatewayStore.close(),
      () => cliStore.close(),
    );
    declareRevocationNamespace(gatewayStore);
    declareRevocationNamespace(cliStore);

    const gateway = createRevocationList({ store: gatewayStore });
    await gateway.refresh();
    const seen: string[] = [];
    gateway.onRevoked((jti) => seen.push(jti));

    await createRevocationList({ store: cliStore }).revoke('jti-9');
    expect(gateway.isRevoked('jti-9')).toBe(false);
    await gateway.refresh();
    expect(gateway.isRevoked('jti-9')).toBe(true);
    await gateway.refresh();
    expect(seen).toEqual(['jti-9']);
  });

  it('keeps notifying other listeners when one throws', async () => {
    const list = createRevocationList({ store: createMemoryStateStore() });
    const seen: string[] = [];
    list.onRevoked(() => {
      throw new Error('socket gone');
    });
    list.onRevoked((jti) => seen.push(jti));
    await list.revoke('x');
    expect(seen).toEqual(['x']);
  });
});

describe('createTokenRegistry', () => {
  it('lists issued tokens with their revocation state and never the token', async () => {
    const store = createMemoryStateStore();
    declareTokenRegistryNamespace(store);
    const registry = createTokenRegistry(store);
    const now = Date.now();
    const base = { subject: 'user:a', scope: 'channels:web', expiresAt: now + 60_000 };
    await registry.register({ jti: 'one', ...base, issuedAt: now - 10 });
    await registry.register({ jti: 'two', ...base, issuedAt: now });
    await createRevocationList({ store }).revoke('one', base.expiresAt);

    const listed = await registry.list();
    expect(listed.map((token) => [token.jti, token.revoked])).toEqual([
      ['two', false],
      ['one', true],
    ]);
    expect(await registry.get('two')).toMatchObject({ subject: 'user:a' });
  });
});
