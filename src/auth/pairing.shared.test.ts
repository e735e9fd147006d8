import { describe, expect, it } from 'vitest';
import { GatewayError } from '../errors.js';
import { createMemoryStateStore } from '../state/memory-store.js';
import type { StateStore } from '../state/types.js';
import { createPairedTokenStore } from './paired-tokens.js';
import { createSharedCodeSlot, MAX_CODE_FAILURES } from './pairing-code-slot.js';
import { createPairingGuard } from './pairing.js';

/** Two guards over one store behave as two instances sharing Redis. */
function instance(store: StateStore, persisted: string[] = []) {
  return createPairingGuard({
    requirePairing: true,
    tokens: createPairedTokenStore({ hashes: [] }),
    persist: async (hash) => {
      persisted.push(hash);
    },
    state: store,
    codeSlot: () => createSharedCodeSlot(store),
  });
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  return error instanceof GatewayError ? error.code : String(error);
}

describe('pairing with a shared code slot', () => {
  it('pairs on one instance with the code issued by another', async () => {
    const store = createMemoryStateStore();
    const a = instance(store);
    const b = instance(store);
    const code = await a.issueCode();
    const token = await b.tryPair(code, 'client');
    expect(token).toMatch(/^gth_/);
    expect(await codeOf(a.tryPair(code, 'other'))).toBe('PAIRING_CODE_INVALID');
  });

  it('agrees on one start-up code whichever instance starts first', async () => {
    const store = createMemoryStateStore();
    const first = await instance(store).ensureCode();
    const second = await instance(store).ensureCode();
    expect(first).toMatch(/^\d{6}$/);
    expect(second).toBe(first);
  });

  it('lets exactly one of two instances claim the code', async () => {
    const store = createMemoryStateStore();
    const a = instance(store);
    const b = instance(store);
    const code = await a.issueCode();
    const results = await Promise.allSettled([a.tryPair(code, 'x'), b.tryPair(code, 'y')]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('burns the code after the shared wrong-guess budget, counted across instances', async () => {
    const store = createMemoryStateStore();
    const guards = [instance(store), instance(store)];
    const code = await guards[0]!.issueCode();
    const wrong = code === '000000' ? '000001' : '000000';
    for (let i = 0; i < MAX_CODE_FAILURES; i += 1) {
      // A different client key each time, so no per-client lockout interferes.
      await codeOf(guards[i % 2]!.tryPair(wrong, `client-${i}`));
    }
    expect(await codeOf(guards[1]!.tryPair(code, 'late'))).toBe('PAIRING_CODE_INVALID');
  });

  it('gives the code back when saving the token fails', async () => {
    const store = createMemoryStateStore();
    const failing = createPairingGuard({
      requirePairing: true,
      tokens: createPairedTokenStore({ hashes: [] }),
      persist: async () => {
        throw new Error('disk full');
      },
      state: store,
      codeSlot: () => createSharedCodeSlot(store),
    });
    const code = await failing.issueCode();
    expect(await codeOf(failing.tryPair(code, 'c'))).toBe('PAIRING_PERSIST_FAILED');
    expect(await instance(store).tryPair(code, 'c2')).toMatch(/^gth_/);
  });
});
