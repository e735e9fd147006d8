import { mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createFileAuditLog } from './audit-log.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-audit-'));
  dirs.push(dir);
  return dir;
}

const silent = pino({ level: 'silent' });
const lines = (path: string): unknown[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as unknown);

describe('createFileAuditLog', () => {
  it('creates the directory and a 0600 file, and narrows an existing wider file', async () => {
    const dir = tempDir();
    const path = join(dir, 'nested', 'deeper', 'audit.jsonl');
    const log = createFileAuditLog(path, silent);
    log.write({ n: 1 });
    await log.close();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'nested')).mode & 0o777).toBe(0o700);

    const wide = join(dir, 'wide.jsonl');
    writeFileSync(wide, '', { mode: 0o644 });
    await createFileAuditLog(wide, silent).close();
    expect(statSync(wide).mode & 0o777).toBe(0o600);
  });

  it('keeps thousands of concurrent records whole, one per line, in call order', async () => {
    const path = join(tempDir(), 'audit.jsonl');
    const log = createFileAuditLog(path, silent);
    const body = 'x'.repeat(5000);
    await Promise.all(
      Array.from({ length: 2000 }, async (_, n) => {
        await Promise.resolve();
        log.write({ n, body });
      }),
    );
    await log.close();
    const records = lines(path) as Array<{ n: number; body: string }>;
    expect(records.map((record) => record.n)).toEqual(Array.from({ length: 2000 }, (_, n) => n));
    expect(records.every((record) => record.body === body)).toBe(true);
  });

  it('reopens the path after rotation: old lines stay in the moved file, new ones go to a new file', async () => {
    const dir = tempDir();
    const path = join(dir, 'audit.jsonl');
    const log = createFileAuditLog(path, silent);
    log.write({ n: 1 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    renameSync(path, join(dir, 'audit.jsonl.1'));
    log.write({ n: 2 });
    log.reopen();
    log.write({ n: 3 });
    await log.close();
    expect(lines(join(dir, 'audit.jsonl.1'))).toEqual([{ n: 1 }, { n: 2 }]);
    expect(lines(path)).toEqual([{ n: 3 }]);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });
});
