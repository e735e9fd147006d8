import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createAuditLogs } from './audit-logs.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-audit-logs-'));
  dirs.push(dir);
  return dir;
}

const silent = pino({ level: 'silent' });
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !condition(); i += 1) await new Promise((r) => setTimeout(r, 10));
  expect(condition()).toBe(true);
}

const read = (path: string): string[] => readFileSync(path, 'utf8').split('\n').filter(Boolean);

describe('createAuditLogs', () => {
  it('opens one log per destination, relative paths under home, and the same one again', async () => {
    const home = tempDir();
    const logs = createAuditLogs({ home, logger: silent });
    const first = logs.forDestination('audit/a.jsonl');
    expect(logs.forDestination(join(home, 'audit', 'a.jsonl'))).toBe(first);
    const second = logs.forDestination('audit/b.jsonl');
    expect(second).not.toBe(first);
    first.write({ n: 1 });
    second.write({ n: 2 });
    await logs.close();
    expect(read(join(home, 'audit', 'a.jsonl'))).toEqual(['{"n":1}']);
    expect(read(join(home, 'audit', 'b.jsonl'))).toEqual(['{"n":2}']);
  });

  it('keeps an older destination writable after a newer one is opened, and reopens both', async () => {
    const home = tempDir();
    const logs = createAuditLogs({ home, logger: silent });
    const old = logs.forDestination('old.jsonl');
    logs.forDestination('new.jsonl');
    old.write({ turn: 'started before the reload' });
    // Rotate only once the line is on disk (the stream opens its file asynchronously).
    await until(
      () => existsSync(join(home, 'old.jsonl')) && read(join(home, 'old.jsonl')).length > 0,
    );
    renameSync(join(home, 'old.jsonl'), join(home, 'old.jsonl.1'));
    renameSync(join(home, 'new.jsonl'), join(home, 'new.jsonl.1'));
    logs.reopen();
    old.write({ turn: 'after rotation' });
    logs.forDestination('new.jsonl').write({ turn: 'new' });
    await logs.close();
    expect(read(join(home, 'old.jsonl.1'))).toEqual(['{"turn":"started before the reload"}']);
    expect(read(join(home, 'old.jsonl'))).toEqual(['{"turn":"after rotation"}']);
    expect(read(join(home, 'new.jsonl'))).toEqual(['{"turn":"new"}']);
  });
});
