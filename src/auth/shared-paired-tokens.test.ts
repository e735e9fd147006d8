import { describe, expect, it } from 'vitest';
import { GatewayError } from '../errors.js';
import { createLocalStateEvents } from '../state/state-events.js';
import { createMemoryStateStore } from '../state/memory-store.js';
import { createPairedTokenStore, hashPairedToken } from './paired-tokens.js';
import {
  addSharedToken,
  declareSharedTokenNamespaces,
  importSharedTokens,
  listSharedTokens,
  refreshSharedTokens,
  revokeSharedToken,
  sharedPairedTokenCheck,
  TOKEN_REMOVED_CHANNEL,
} from './shared-paired-tokens.js';

const TOKEN = 'gth_' + 'a'.repeat(64);
const HASH = hashPairedToken(TOKEN);

function setup() {
  const store = createMemoryStateStore();
  declareSharedTokenNamespaces(store);
  return { store, tokens: createPairedTokenStore({ hashes: [] }) };
}

describe('shared paired tokens', () => {
  it('accepts a token paired by another instance at once (no refresh needed)', async () => {
    const { store, tokens } = setup();
    await addSharedToken(store, HASH, 'pair');
    const principal = await sharedPairedTokenCheck(tokens, store)(TOKEN);
    expect(principal.kind).toBe('paired');
    expect(tokens.list()).toEqual([HASH]);
  });

  it('refuses a token that is not in the shared set, even if the local mirror has it', async () => {
    const { store } = setup();
    const mirror = createPairedTokenStore({ hashes: [HASH] });
    const error = await sharedPairedTokenCheck(mirror, store)(TOKEN).catch((e: unknown) => e);
    expect(error instanceof GatewayError && error.code).toBe('AUTH_INVALID_TOKEN');
  });

  it('imports config hashes once, so a revoked one never comes back', async () => {
    const { store } = setup();
    expect(await importSharedTokens(store, [HASH])).toBe(1);
    const events = createLocalStateEvents();
    await revokeSharedToken(store, events, HASH.slice(0, 12));
    expect(await importSharedTokens(store, [HASH])).toBe(0);
    expect(await listSharedTokens(store)).toEqual([]);
  });

  it('revoking announces the hash and the refresh removes it from every mirror', async () => {
    const { store, tokens } = setup();
    await addSharedToken(store, HASH, 'pair');
    await refreshSharedTokens(tokens, store);
    expect(tokens.count()).toBe(1);
    const removed: string[] = [];
    tokens.onRemoved((hash) => removed.push(hash));
    const events = createLocalStateEvents();
    const announced: string[] = [];
    await events.subscribe(TOKEN_REMOVED_CHANNEL, (hash) => announced.push(hash));
    expect(await revokeSharedToken(store, events, HASH.slice(0, 8))).toBe(HASH);
    expect(announced).toEqual([HASH]);
    await refreshSharedTokens(tokens, store);
    expect(removed).toEqual([HASH]);
  });

  it('refuses an unknown revoke prefix', async () => {
    const { store } = setup();
    await expect(revokeSharedToken(store, createLocalStateEvents(), 'deadbeef')).rejects.toThrow(
      'No paired token matches',
    );
  });
});
