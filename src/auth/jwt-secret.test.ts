import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isConfigError } from '../config/config-error.js';
import { JWT_SECRET_FILE, loadJwtSecret } from './jwt-secret.js';

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'gatehouse-jwt-secret-'));
});
afterEach(() => {
  rmSync(home, { recursive: true, force: true });
});

describe('loadJwtSecret', () => {
  it('returns a configured secret of at least 32 bytes', () => {
    const secret = 'x'.repeat(32);
    expect(loadJwtSecret({ configured: secret, home })).toBe(secret);
  });

  it('refuses a configured secret shorter than 32 bytes, naming the config key', () => {
    let caught: unknown;
    try {
      loadJwtSecret({ configured: 'x'.repeat(31), home });
    } catch (error) {
      caught = error;
    }
    expect(isConfigError(caught)).toBe(true);
    expect(String(caught)).toContain('gateway.auth.jwt_secret');
  });

  it('generates a 0600 secret file on first start and reuses it afterwards', () => {
    const first = loadJwtSecret({ configured: undefined, home });
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    const path = join(home, JWT_SECRET_FILE);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(loadJwtSecret({ configured: undefined, home })).toBe(first);
    expect(readFileSync(path, 'utf8').trim()).toBe(first);
  });

  it('leaves nothing but jwt.secret behind after creating it', () => {
    loadJwtSecret({ configured: undefined, home });
    expect(readdirSync(home)).toEqual([JWT_SECRET_FILE]);
  });

  it.each([
    ['empty', ''],
    ['blank', '\n'],
  ])('replaces an %s secret file left by a crash during creation', (_name, content) => {
    const path = join(home, JWT_SECRET_FILE);
    writeFileSync(path, content, { mode: 0o600 });
    const secret = loadJwtSecret({ configured: undefined, home });
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(readFileSync(path, 'utf8').trim()).toBe(secret);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(home)).toEqual([JWT_SECRET_FILE]);
    expect(loadJwtSecret({ configured: undefined, home })).toBe(secret);
  });

  it('keeps a secret another process already published', () => {
    const existing = 'e'.repeat(64);
    writeFileSync(join(home, JWT_SECRET_FILE), `${existing}\n`, { mode: 0o600 });
    expect(loadJwtSecret({ configured: undefined, home })).toBe(existing);
  });

  it('refuses a generated secret file that was truncated', () => {
    writeFileSync(join(home, JWT_SECRET_FILE), 'short\n', { mode: 0o600 });
    expect(() => loadJwtSecret({ configured: undefined, home })).toThrow(/at least 32 bytes/);
  });
});
