import { describe, expect, it } from 'vitest';
import {
  createPairedTokenStore,
  generatePairedToken,
  hashPairedToken,
  isTokenHash,
  matchHashPrefix,
  normalizePairedTokenEntries,
  PAIRED_TOKEN_PREFIX,
  TokenPrefixError,
} from './paired-tokens.js';

const TOKEN_A = `gth_${'1'.repeat(64)}`;
const TOKEN_B = `gth_${'2'.repeat(64)}`;
const HASH_A = hashPairedToken(TOKEN_A);
const HASH_B = hashPairedToken(TOKEN_B);

describe('generatePairedToken', () => {
  it('is the gth_ prefix plus 32 random bytes as 64 hex characters', () => {
    const token = generatePairedToken();
    expect(token).toMatch(/^gth_[0-9a-f]{64}$/);
    expect(token.startsWith(PAIRED_TOKEN_PREFIX)).toBe(true);
  });

  it('asks the random source for exactly 32 bytes', () => {
    const sizes: number[] = [];
    const token = generatePairedToken((size) => {
      sizes.push(size);
      return Buffer.alloc(size, 0xab);
    });
    expect(sizes).toEqual([32]);
    expect(token).toBe(`gth_${'ab'.repeat(32)}`);
  });

  it('never repeats across many tokens', () => {
    const tokens = new Set(Array.from({ length: 1000 }, () => generatePairedToken()));
    expect(tokens.size).toBe(1000);
  });
});

describe('hashPairedToken / isTokenHash', () => {
  it('hashes to SHA-256 lower-case hex', () => {
    expect(hashPairedToken('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it.each([
    { entry: HASH_A, expected: true },
    { entry: HASH_A.toUpperCase(), expected: false },
    { entry: HASH_A.slice(1), expected: false },
    { entry: `${HASH_A}0`, expected: false },
    { entry: TOKEN_A, expected: false },
    { entry: '', expected: false },
  ])('isTokenHash($entry) is $expected', ({ entry, expected }) => {
    expect(isTokenHash(entry)).toBe(expected);
  });
});

describe('normalizePairedTokenEntries', () => {
  it('keeps hashes, hashes plaintext entries and reports how many', () => {
    expect(normalizePairedTokenEntries([HASH_A, TOKEN_B])).toEqual({
      hashes: [HASH_A, HASH_B],
      hashedPlaintext: 1,
    });
  });

  it('drops duplicates, including a plaintext token next to its own hash', () => {
    expect(normalizePairedTokenEntries([HASH_A, TOKEN_A, HASH_A])).toEqual({
      hashes: [HASH_A],
      hashedPlaintext: 1,
    });
  });

  it('reports nothing to rewrite when every entry is a hash', () => {
    expect(normalizePairedTokenEntries([HASH_A, HASH_B]).hashedPlaintext).toBe(0);
  });
});

describe('createPairedTokenStore', () => {
  it.each([
    { label: 'first stored token', token: TOKEN_A, expected: true },
    { label: 'second stored token', token: TOKEN_B, expected: true },
    { label: 'unknown token', token: `gth_${'3'.repeat(64)}`, expected: false },
    { label: 'stored hash presented as the token', token: HASH_A, expected: false },
    { label: 'empty token', token: '', expected: false },
    { label: 'token with different case', token: TOKEN_A.toUpperCase(), expected: false },
  ])('verify returns $expected for the $label', ({ token, expected }) => {
    const store = createPairedTokenStore({ hashes: [HASH_A, HASH_B] });
    expect(store.verify(token)).toBe(expected);
  });

  it('verifies nothing when no token is paired', () => {
    expect(createPairedTokenStore({ hashes: [] }).verify(TOKEN_A)).toBe(false);
  });

  it('rejects a malformed hash in verifyHash instead of throwing', () => {
    const store = createPairedTokenStore({ hashes: [HASH_A] });
    expect(store.verifyHash('zz')).toBe(false);
  });

  it('refuses plaintext entries: they must be normalized first', () => {
    expect(() => createPairedTokenStore({ hashes: [TOKEN_A] })).toThrow(TypeError);
  });

  it('adds, lists, counts and removes by prefix', () => {
    const store = createPairedTokenStore({ hashes: [HASH_A] });
    store.add(HASH_B);
    store.add(HASH_B);
    expect(store.list()).toEqual([HASH_A, HASH_B]);
    expect(store.count()).toBe(2);
    expect(store.remove(HASH_B.slice(0, 8).toUpperCase())).toBe(HASH_B);
    expect(store.verify(TOKEN_B)).toBe(false);
    expect(store.count()).toBe(1);
  });

  it('replaces the whole set on reload', () => {
    const store = createPairedTokenStore({ hashes: [HASH_A] });
    store.replaceAll([HASH_B]);
    expect(store.verify(TOKEN_A)).toBe(false);
    expect(store.verify(TOKEN_B)).toBe(true);
  });

  it('tells onRemoved listeners which hashes a reload dropped, and only those', () => {
    const HASH_C = hashPairedToken(`gth_${'3'.repeat(64)}`);
    const store = createPairedTokenStore({ hashes: [HASH_A, HASH_B] });
    const removed: string[] = [];
    store.onRemoved((hash) => removed.push(hash));
    store.replaceAll([HASH_B, HASH_C]);
    expect(removed).toEqual([HASH_A]);
    store.replaceAll([HASH_B, HASH_C]);
    expect(removed).toEqual([HASH_A]);
    store.replaceAll([]);
    expect(removed).toEqual([HASH_A, HASH_B, HASH_C]);
  });

  it('tells onRemoved listeners about a removal by prefix, after the token stopped verifying', () => {
    const store = createPairedTokenStore({ hashes: [HASH_A, HASH_B] });
    const seen: Array<{ hash: string; stillValid: boolean }> = [];
    store.onRemoved((hash) => seen.push({ hash, stillValid: store.verifyHash(hash) }));
    store.remove(HASH_A.slice(0, 10));
    expect(seen).toEqual([{ hash: HASH_A, stillValid: false }]);
  });

  it('keeps notifying the other listeners when one throws, and stops after unsubscribe', () => {
    const store = createPairedTokenStore({ hashes: [HASH_A, HASH_B] });
    const removed: string[] = [];
    store.onRemoved(() => {
      throw new Error('socket already gone');
    });
    const off = store.onRemoved((hash) => removed.push(hash));
    store.replaceAll([HASH_B]);
    off();
    store.replaceAll([]);
    expect(removed).toEqual([HASH_A]);
  });

  it('runs serialized jobs one after another even when one fails', async () => {
    const store = createPairedTokenStore({ hashes: [] });
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const first = store.serialize(async () => {
      await gate;
      order.push('first');
      throw new Error('boom');
    });
    const second = store.serialize(async () => {
      order.push('second');
    });
    release();
    await expect(first).rejects.toThrow('boom');
    await second;
    expect(order).toEqual(['first', 'second']);
  });
});

describe('matchHashPrefix', () => {
  const a = `abcdef01${'0'.repeat(56)}`;
  const b = `abcdef02${'0'.repeat(56)}`;
  it.each([
    { prefix: 'abcdef01', problem: undefined, result: a },
    { prefix: 'ABCDEF02', problem: undefined, result: b },
    { prefix: a, problem: undefined, result: a },
    { prefix: 'abcdef0', problem: 'invalid' },
    { prefix: 'abcdefgh', problem: 'invalid' },
    { prefix: `${a}0`, problem: 'invalid' },
    { prefix: '', problem: 'invalid' },
    { prefix: 'abcdef03', problem: 'not-found' },
    { prefix: 'abcdef0 ', problem: 'invalid' },
  ])('prefix "$prefix" → $problem', ({ prefix, problem, result }) => {
    if (problem === undefined) {
      expect(matchHashPrefix([a, b], prefix)).toBe(result);
    } else {
      expect(() => matchHashPrefix([a, b], prefix)).toThrow(
        expect.objectContaining({ problem }) as unknown as Error,
      );
    }
  });

  it('refuses an ambiguous prefix', () => {
    const c = `abcdef01${'1'.repeat(56)}`;
    try {
      matchHashPrefix([a, c], 'abcdef01');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(TokenPrefixError);
      expect((error as TokenPrefixError).problem).toBe('ambiguous');
    }
  });
});
