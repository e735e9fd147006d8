import { describe, expect, it } from 'vitest';
import { createMemoryStateStore } from '../state/index.js';
import { createCredentialRevocations } from './credential-revocations.js';
import { createPairedTokenStore, hashPairedToken, pairedCredentialId } from './paired-tokens.js';
import { createRevocationList } from './revocations.js';

const HASH_A = hashPairedToken(`gth_${'a'.repeat(64)}`);
const HASH_B = hashPairedToken(`gth_${'b'.repeat(64)}`);

function setup() {
  const store = createMemoryStateStore();
  const jwt = createRevocationList({ store });
  const paired = createPairedTokenStore({ hashes: [HASH_A, HASH_B] });
  const credentials = createCredentialRevocations({ jwt, paired });
  return { store, jwt, paired, credentials };
}

describe('createCredentialRevocations', () => {
  it('treats a paired handle as revoked exactly when its hash left the token set', () => {
    const { paired, credentials } = setup();
    expect(credentials.isRevoked(pairedCredentialId(HASH_A))).toBe(false);
    paired.replaceAll([HASH_B]);
    expect(credentials.isRevoked(pairedCredentialId(HASH_A))).toBe(true);
    expect(credentials.isRevoked(pairedCredentialId(HASH_B))).toBe(false);
  });

  it('fails closed for a paired handle that is not a stored hash', () => {
    const { credentials } = setup();
    expect(credentials.isRevoked('paired:')).toBe(true);
    expect(credentials.isRevoked('paired:not-a-hash')).toBe(true);
  });

  it('delegates JWT ids to the revocation list', async () => {
    const { jwt, credentials, store } = setup();
    expect(credentials.isRevoked('jti-1')).toBe(false);
    await jwt.revoke('jti-1');
    expect(credentials.isRevoked('jti-1')).toBe(true);
    await store.close();
  });

  it('notifies removed paired tokens as paired:<hash> and revoked JWTs by jti; unsubscribes both', async () => {
    const { jwt, paired, credentials, store } = setup();
    const seen: string[] = [];
    const off = credentials.onRevoked((handle) => seen.push(handle));
    paired.remove(HASH_A.slice(0, 8));
    await jwt.revoke('jti-2');
    expect(seen).toEqual([pairedCredentialId(HASH_A), 'jti-2']);
    off();
    paired.replaceAll([]);
    await jwt.revoke('jti-3');
    expect(seen).toHaveLength(2);
    await store.close();
  });
});
