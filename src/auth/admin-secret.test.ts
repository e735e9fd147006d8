import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adminSecretPath, loadOrCreateAdminSecret, readAdminSecret } from './admin-secret.js';

let home: string;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'gatehouse-admin-'));
});

afterEach(() => {
  rmSync(home, { recursive: true, force: true });
});

describe('loadOrCreateAdminSecret', () => {
  it('creates 32 random bytes as hex with mode 0600', async () => {
    const secret = await loadOrCreateAdminSecret(home);
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(adminSecretPath(home)).mode & 0o777).toBe(0o600);
  });

  it('reuses the existing secret', async () => {
    const first = await loadOrCreateAdminSecret(home);
    expect(await loadOrCreateAdminSecret(home)).toBe(first);
    expect(await readAdminSecret(home)).toBe(first);
  });

  it('agrees on one secret when several callers race', async () => {
    const secrets = await Promise.all(
      Array.from({ length: 8 }, () => loadOrCreateAdminSecret(home)),
    );
    expect(new Set(secrets).size).toBe(1);
    expect(readFileSync(adminSecretPath(home), 'utf8').trim()).toBe(secrets[0]);
  });

  it('creates the home directory when missing', async () => {
    const nested = join(home, 'a', 'b');
    await expect(loadOrCreateAdminSecret(nested)).resolves.toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a malformed secret file instead of overwriting it', async () => {
    writeFileSync(adminSecretPath(home), 'short\n');
    await expect(loadOrCreateAdminSecret(home)).rejects.toThrow(/malformed/);
  });

  it('readAdminSecret returns undefined when there is none', async () => {
    expect(await readAdminSecret(home)).toBeUndefined();
  });
});
