import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { rename } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderConfigTemplate } from './template.js';
import {
  appendPairedTokenHash,
  readPairedTokenEntries,
  setPairedTokenHashes,
  updatePairedTokens,
} from './persist.js';

const HASH_A = 'a'.repeat(64);
const HASH_B = 'b'.repeat(64);

const TEMPLATE = `# gatehouse configuration
# Every key is optional.

default_provider = "echo"   # offline provider

[gateway]
# Listening port (0 = any free port)
port    = 3000
host = "127.0.0.1"  # loopback only
# paired_tokens = []   # managed by /pair
require_pairing = true

[memory]
# Conversation store
backend = "sqlite"
`;

let dir: string;
let path: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-persist-'));
  path = join(dir, 'config.toml');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Lines of `after` that are not in `before`, and lines of `before` that vanished. */
function lineDiff(before: string, after: string): { added: string[]; removed: string[] } {
  const a = before.split('\n');
  const b = after.split('\n');
  return { added: b.filter((l) => !a.includes(l)), removed: a.filter((l) => !b.includes(l)) };
}

describe('appendPairedTokenHash', () => {
  it('keeps every comment and the formatting of other keys byte-for-byte', async () => {
    writeFileSync(path, TEMPLATE);
    await appendPairedTokenHash(path, HASH_A);
    const after = readFileSync(path, 'utf8');
    expect(lineDiff(TEMPLATE, after)).toEqual({
      added: [`paired_tokens = [ "${HASH_A}" ]`],
      removed: [],
    });
    // Everything before the inserted line is unchanged, in order.
    const insertedAt = after.indexOf('paired_tokens = [');
    expect(TEMPLATE.startsWith(after.slice(0, insertedAt))).toBe(true);
  });

  it('appends to an existing list changing only that line', async () => {
    writeFileSync(
      path,
      TEMPLATE.replace('require_pairing = true', `paired_tokens = ["${HASH_A}"]`),
    );
    const before = readFileSync(path, 'utf8');
    await appendPairedTokenHash(path, HASH_B);
    const diff = lineDiff(before, readFileSync(path, 'utf8'));
    expect(diff.removed).toEqual([`paired_tokens = ["${HASH_A}"]`]);
    expect(diff.added).toHaveLength(1);
    expect(diff.added[0]).toContain(HASH_A);
    expect(diff.added[0]).toContain(HASH_B);
    expect(await readPairedTokenEntries(path)).toEqual([HASH_A, HASH_B]);
  });

  it('adds a [gateway] table when the file has none', async () => {
    const text = '# only memory here\n[memory]\nbackend = "none" # keep\n';
    writeFileSync(path, text);
    await appendPairedTokenHash(path, HASH_A);
    const after = readFileSync(path, 'utf8');
    expect(after.startsWith(text)).toBe(true);
    expect(after).toContain('[gateway]');
    expect(await readPairedTokenEntries(path)).toEqual([HASH_A]);
  });

  it('creates a missing file with mode 0600', async () => {
    await appendPairedTokenHash(path, HASH_A);
    expect(await readPairedTokenEntries(path)).toEqual([HASH_A]);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('writes the file with mode 0600 even when it was world-readable', async () => {
    writeFileSync(path, TEMPLATE, { mode: 0o644 });
    await appendPairedTokenHash(path, HASH_A);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('does not duplicate a hash that is already stored', async () => {
    await appendPairedTokenHash(path, HASH_A);
    await appendPairedTokenHash(path, HASH_A);
    expect(await readPairedTokenEntries(path)).toEqual([HASH_A]);
  });

  it('keeps both hashes when two appends run concurrently', async () => {
    writeFileSync(path, TEMPLATE);
    await Promise.all([appendPairedTokenHash(path, HASH_A), appendPairedTokenHash(path, HASH_B)]);
    expect([...(await readPairedTokenEntries(path))].sort()).toEqual([HASH_A, HASH_B]);
  });
});

/** The template as versions before the live section headers wrote it: every header commented. */
function legacyTemplate(): string {
  return renderConfigTemplate().replace(/^\[/gm, '#[');
}

describe('appendPairedTokenHash on the generated template', () => {
  it('uncomments the key inside the live [gateway] table and changes nothing else', async () => {
    const template = renderConfigTemplate();
    writeFileSync(path, template);
    await appendPairedTokenHash(path, HASH_A);
    const diff = lineDiff(template, readFileSync(path, 'utf8'));
    expect(diff.removed).toEqual(['#paired_tokens = []']);
    expect(diff.added).toEqual([`paired_tokens = ["${HASH_A}"]`]);
    expect(await readPairedTokenEntries(path)).toEqual([HASH_A]);
    await appendPairedTokenHash(path, HASH_B);
    expect(await readPairedTokenEntries(path)).toEqual([HASH_A, HASH_B]);
  });

  it('uncomments the header and key of a template with commented headers (older files)', async () => {
    const template = legacyTemplate();
    writeFileSync(path, template);
    await appendPairedTokenHash(path, HASH_A);
    const diff = lineDiff(template, readFileSync(path, 'utf8'));
    expect(diff.removed).toEqual(['#[gateway]', '#paired_tokens = []']);
    expect(diff.added).toEqual(['[gateway]', `paired_tokens = ["${HASH_A}"]`]);
    expect(await readPairedTokenEntries(path)).toEqual([HASH_A]);
  });

  it('appends instead when uncommenting would duplicate a real [gateway] table', async () => {
    const text = `${legacyTemplate()}
[gateway]
port = 3001
`;
    writeFileSync(path, text);
    await appendPairedTokenHash(path, HASH_A);
    const after = readFileSync(path, 'utf8');
    expect(after.startsWith(text)).toBe(true);
    expect(await readPairedTokenEntries(path)).toEqual([HASH_A]);
  });
});

describe('setPairedTokenHashes', () => {
  it('removes an entry from a multi-line list and keeps the rest of the file', async () => {
    const text = `[gateway]\nport = 1 # p\npaired_tokens = [\n  "${HASH_A}",\n  "${HASH_B}",\n]\n# tail\n`;
    writeFileSync(path, text);
    await setPairedTokenHashes(path, [HASH_B]);
    expect(readFileSync(path, 'utf8')).toBe(
      `[gateway]\nport = 1 # p\npaired_tokens = [\n  "${HASH_B}",\n]\n# tail\n`,
    );
  });
});

describe('persistence failures', () => {
  const failures: Array<{ label: string; fs: Parameters<typeof appendPairedTokenHash>[2] }> = [
    {
      label: 'rename fails',
      fs: {
        fs: {
          rename: async () => {
            throw Object.assign(new Error('injected rename failure'), { code: 'EIO' });
          },
        },
      },
    },
    {
      label: 'creating the temp file fails',
      fs: {
        fs: {
          open: async () => {
            throw Object.assign(new Error('injected open failure'), { code: 'EACCES' });
          },
        },
      },
    },
  ];

  it.each(failures)('leaves the original intact and no temp file when $label', async ({ fs }) => {
    writeFileSync(path, TEMPLATE);
    await expect(appendPairedTokenHash(path, HASH_A, fs)).rejects.toThrow(/injected/);
    expect(readFileSync(path, 'utf8')).toBe(TEMPLATE);
    expect(readdirSync(dir)).toEqual(['config.toml']);
  });

  it('rejects a file that is not valid TOML without touching it', async () => {
    writeFileSync(path, '[gateway\nport = ');
    await expect(appendPairedTokenHash(path, HASH_A)).rejects.toThrow(/not valid TOML/);
    expect(readFileSync(path, 'utf8')).toBe('[gateway\nport = ');
  });

  it('rejects paired_tokens that is not a list of strings', async () => {
    writeFileSync(path, '[gateway]\npaired_tokens = 3\n');
    await expect(updatePairedTokens(path, (c) => c)).rejects.toThrow(/array of strings/);
  });

  it('keeps working after a failed write (the queue is not poisoned)', async () => {
    writeFileSync(path, TEMPLATE);
    await expect(
      appendPairedTokenHash(path, HASH_A, {
        fs: {
          rename: async () => {
            throw new Error('injected');
          },
        },
      }),
    ).rejects.toThrow();
    await appendPairedTokenHash(path, HASH_B, { fs: { rename } });
    expect(await readPairedTokenEntries(path)).toEqual([HASH_B]);
  });
});

describe('the config lock file', () => {
  const lockOf = (file: string) => `${file}.lock`;

  it('breaks a lock left by a crashed process and keeps the change', async () => {
    writeFileSync(path, TEMPLATE);
    writeFileSync(lockOf(path), `999999 ${hostname()} ab12\n`);
    await appendPairedTokenHash(path, HASH_A, { lock: { isAlive: () => false } });
    expect(await readPairedTokenEntries(path)).toEqual([HASH_A]);
    expect(existsSync(lockOf(path))).toBe(false);
  });

  it('breaks a lock older than the stale age even when its owner looks alive', async () => {
    writeFileSync(path, TEMPLATE);
    writeFileSync(lockOf(path), `999999 ${hostname()} ab12\n`);
    const old = (Date.now() - 120_000) / 1000;
    utimesSync(lockOf(path), old, old);
    await appendPairedTokenHash(path, HASH_A, { lock: { isAlive: () => true } });
    expect(await readPairedTokenEntries(path)).toEqual([HASH_A]);
  });

  it('fails without touching the file while a live process holds the lock', async () => {
    writeFileSync(path, TEMPLATE);
    writeFileSync(lockOf(path), `999999 ${hostname()} ab12\n`);
    await expect(
      appendPairedTokenHash(path, HASH_A, { lock: { isAlive: () => true, timeoutMs: 100 } }),
    ).rejects.toThrow(/held by another gatehouse process \(pid 999999\)/);
    expect(readFileSync(path, 'utf8')).toBe(TEMPLATE);
  });

  it('leaves no lock file behind after a failed write', async () => {
    writeFileSync(path, TEMPLATE);
    await expect(
      appendPairedTokenHash(path, HASH_A, {
        fs: {
          rename: async () => {
            throw new Error('EIO');
          },
        },
      }),
    ).rejects.toThrow('EIO');
    expect(existsSync(lockOf(path))).toBe(false);
  });
});
