import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { hashPairedToken } from '../auth/paired-tokens.js';
import { readPairedTokenEntries } from '../config/persist.js';
import { createProgram, runProgram } from './program.js';
import { registerTokensCommand } from './tokens.js';

const HASH_A = `abcdef01${'1'.repeat(56)}`;
const HASH_B = `abcdef02${'2'.repeat(56)}`;
const PLAIN = `gth_${'c'.repeat(64)}`;

let dir: string;
let path: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-tokens-cli-'));
  path = join(dir, 'config.toml');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function run(args: string[]): Promise<{ out: string[]; err: string; exitCode: number }> {
  const out: string[] = [];
  let err = '';
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    err += String(chunk);
    return true;
  });
  try {
    const program = createProgram();
    registerTokensCommand(program, { env: {}, out: (line) => out.push(line) });
    const exitCode = await runProgram(program, [
      'node',
      'gatehouse',
      'tokens',
      ...args,
      '--config',
      path,
    ]);
    return { out, err, exitCode: exitCode ?? 0 };
  } finally {
    stderr.mockRestore();
  }
}

describe('gatehouse tokens list', () => {
  it('prints 12-character hash prefixes, never a plaintext token', async () => {
    writeFileSync(path, `[gateway]\npaired_tokens = ["${HASH_A}", "${PLAIN}"]\n`);
    const { out, exitCode } = await run(['list']);
    expect(exitCode).toBe(0);
    expect(out[0]).toBe(`${HASH_A.slice(0, 12)}  (no name)  paired: unknown  last used: unknown`);
    expect(out[1]).toContain(hashPairedToken(PLAIN).slice(0, 12));
    expect(out.join('\n')).not.toContain(PLAIN);
    expect(out.join('\n')).not.toContain(HASH_A);
  });

  it('says so when nothing is paired (and creates no file)', async () => {
    const { out } = await run(['list']);
    expect(out[0]).toMatch(/No paired tokens/);
  });
});

describe('gatehouse tokens rename', () => {
  it('names a device; list then shows the name, paired time and "never" used', async () => {
    writeFileSync(path, `[gateway]\npaired_tokens = ["${HASH_A}", "${HASH_B}"]\n`);
    const renamed = await run(['rename', 'abcdef01', 'Kitchen tablet']);
    expect(renamed.exitCode).toBe(0);
    expect(renamed.out).toEqual(['Renamed abcdef011111 to Kitchen tablet.']);
    const { out } = await run(['list']);
    expect(out[0]).toMatch(
      /^abcdef011111 {2}Kitchen tablet {2}paired: \d{4}-\d\d-\d\d \d\d:\d\d {2}last used: never$/,
    );
    expect(out[1]).toMatch(/^abcdef022222 {2}\(no name\)/);
  });

  it('refuses an unknown prefix (exit 1) and an unprintable name (exit 2)', async () => {
    writeFileSync(path, `[gateway]\npaired_tokens = ["${HASH_A}"]\n`);
    expect((await run(['rename', 'ffffffff', 'x'])).exitCode).toBe(1);
    const bad = await run(['rename', 'abcdef01', 'bad\u0007name']);
    expect(bad.exitCode).toBe(2);
    expect(bad.err).toMatch(/1 to 64 printable characters/);
  });
});

describe('gatehouse tokens revoke', () => {
  const original = `# my config\n[gateway]\nport = 3000 # keep\npaired_tokens = ["${HASH_A}", "${HASH_B}"]\n`;

  it('removes the matching hash and keeps the rest of the file', async () => {
    writeFileSync(path, original);
    const { out, exitCode } = await run(['revoke', 'abcdef02']);
    expect(exitCode).toBe(0);
    expect(out[0]).toMatch(/Revoked token abcdef022222/);
    expect(await readPairedTokenEntries(path)).toEqual([HASH_A]);
    expect(readFileSync(path, 'utf8')).toContain('# my config\n[gateway]\nport = 3000 # keep\n');
  });

  it.each([
    { prefix: 'abcdef0', code: 2, message: /invalid for argument 'prefix'\. .*8 to 64 hex/ },
    { prefix: 'abcdefgh', code: 2, message: /invalid for argument 'prefix'\. .*8 to 64 hex/ },
    { prefix: 'abc', code: 2, message: /8 to 64 hex/ },
    { prefix: 'a'.repeat(65), code: 2, message: /8 to 64 hex/ },
    { prefix: 'abcdef09', code: 1, message: /^gatehouse: No paired token matches/ },
  ])(
    'exits $code for prefix $prefix and leaves the file alone',
    async ({ prefix, code, message }) => {
      writeFileSync(path, original);
      const { err, exitCode } = await run(['revoke', prefix]);
      expect(exitCode).toBe(code);
      expect(err).toMatch(message);
      expect(readFileSync(path, 'utf8')).toBe(original);
    },
  );

  it('accepts an upper-case prefix as well-formed', async () => {
    writeFileSync(path, original);
    expect((await run(['revoke', 'ABCDEF02'])).exitCode).toBe(0);
    expect(await readPairedTokenEntries(path)).toEqual([HASH_A]);
  });

  it('exits 1 for an ambiguous prefix', async () => {
    const c = `abcdef01${'3'.repeat(56)}`;
    writeFileSync(path, `[gateway]\npaired_tokens = ["${HASH_A}", "${c}"]\n`);
    const { err, exitCode } = await run(['revoke', 'abcdef01']);
    expect(exitCode).toBe(1);
    expect(err).toMatch(/matches 2 paired tokens/);
  });
});
