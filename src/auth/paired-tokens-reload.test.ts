import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  appendPairedTokenHash,
  configFileSignature,
  readPairedTokenEntries,
  setPairedTokenHashes,
} from '../config/persist.js';
import { createPairedTokenReloader, loadPairedTokens } from './paired-tokens-reload.js';
import { createPairedTokenStore, hashPairedToken } from './paired-tokens.js';

const TOKEN_A = `gth_${'a'.repeat(64)}`;
const TOKEN_B = `gth_${'b'.repeat(64)}`;
const HASH_A = hashPairedToken(TOKEN_A);
const HASH_B = hashPairedToken(TOKEN_B);

let dir: string;
let path: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-reload-'));
  path = join(dir, 'config.toml');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function reloaderFor(tokens: ReturnType<typeof createPairedTokenStore>) {
  const errors: unknown[] = [];
  const reloader = createPairedTokenReloader({
    tokens,
    signature: () => configFileSignature(path),
    read: () => readPairedTokenEntries(path),
    rewrite: (hashes) => setPairedTokenHashes(path, hashes),
    onError: (error) => errors.push(error),
  });
  return { reloader, errors };
}

describe('createPairedTokenReloader', () => {
  it('drops a token revoked in the file and skips unchanged files', async () => {
    writeFileSync(path, `# keep me\n[gateway]\npaired_tokens = ["${HASH_A}", "${HASH_B}"]\n`);
    const tokens = createPairedTokenStore({ hashes: [HASH_A, HASH_B] });
    const { reloader } = reloaderFor(tokens);
    expect(await reloader.check()).toBe(true);
    expect(await reloader.check()).toBe(false);
    await setPairedTokenHashes(path, [HASH_B]);
    expect(await reloader.check()).toBe(true);
    expect(tokens.verify(TOKEN_A)).toBe(false);
    expect(tokens.verify(TOKEN_B)).toBe(true);
  });

  it('reports the tokens a reload dropped to onRemoved listeners (live sessions end on it)', async () => {
    writeFileSync(path, `[gateway]\npaired_tokens = ["${HASH_A}", "${HASH_B}"]\n`);
    const tokens = createPairedTokenStore({ hashes: [HASH_A, HASH_B] });
    const removed: string[] = [];
    tokens.onRemoved((hash) => removed.push(hash));
    const { reloader } = reloaderFor(tokens);
    await reloader.check();
    expect(removed).toEqual([]);
    await setPairedTokenHashes(path, [HASH_B]);
    await reloader.check();
    expect(removed).toEqual([HASH_A]);
  });

  it('hashes a plaintext entry and rewrites the file with the hash only', async () => {
    writeFileSync(path, `# keep me\n[gateway]\npaired_tokens = ["${TOKEN_A}"]\n`);
    const tokens = createPairedTokenStore({ hashes: [] });
    const { reloader } = reloaderFor(tokens);
    await reloader.check();
    expect(tokens.verify(TOKEN_A)).toBe(true);
    expect(await readPairedTokenEntries(path)).toEqual([HASH_A]);
  });

  it('keeps a token paired while a reload was reading the old file', async () => {
    writeFileSync(path, '[gateway]\npaired_tokens = []\n');
    const tokens = createPairedTokenStore({ hashes: [] });
    const { reloader } = reloaderFor(tokens);
    // Pairing and reload both go through tokens.serialize, as the guard does.
    const pairing = tokens.serialize(async () => {
      await appendPairedTokenHash(path, HASH_A);
      tokens.add(HASH_A);
    });
    await Promise.all([reloader.check(), pairing]);
    await reloader.check();
    expect(tokens.verify(TOKEN_A)).toBe(true);
  });

  it('reports an invalid file and keeps the current tokens', async () => {
    writeFileSync(path, '[gateway\n');
    const tokens = createPairedTokenStore({ hashes: [HASH_A] });
    const { reloader, errors } = reloaderFor(tokens);
    expect(await reloader.check()).toBe(false);
    expect(errors).toHaveLength(1);
    expect(tokens.verify(TOKEN_A)).toBe(true);
  });

  it('treats a missing file as no paired tokens', async () => {
    const tokens = createPairedTokenStore({ hashes: [HASH_A] });
    const { reloader } = reloaderFor(tokens);
    await reloader.check();
    expect(tokens.count()).toBe(0);
  });
});

describe('loadPairedTokens', () => {
  it('hashes plaintext entries on load and rewrites the file with hashes only', async () => {
    writeFileSync(path, `# keep\n[gateway]\npaired_tokens = ["${TOKEN_A}", "${HASH_B}"]\n`);
    const { tokens, hashedPlaintext } = await loadPairedTokens(
      await readPairedTokenEntries(path),
      (hashes) => setPairedTokenHashes(path, hashes),
    );
    expect(hashedPlaintext).toBe(1);
    expect(tokens.verify(TOKEN_A)).toBe(true);
    expect(tokens.verify(TOKEN_B)).toBe(true);
    expect(await readPairedTokenEntries(path)).toEqual([HASH_A, HASH_B]);
    expect(readFileSync(path, 'utf8')).not.toContain(TOKEN_A);
    expect(readFileSync(path, 'utf8').startsWith('# keep\n')).toBe(true);
  });

  it('does not touch the file when every entry is a hash', async () => {
    let rewrites = 0;
    const { hashedPlaintext } = await loadPairedTokens([HASH_A], async () => {
      rewrites += 1;
    });
    expect(hashedPlaintext).toBe(0);
    expect(rewrites).toBe(0);
  });

  it('fails when the rewrite fails, so no plaintext token stays on disk unnoticed', async () => {
    await expect(
      loadPairedTokens([TOKEN_A], async () => {
        throw new Error('read-only');
      }),
    ).rejects.toThrow('read-only');
  });
});
