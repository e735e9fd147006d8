import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteFile } from './sqlite-file.js';
import { startSqliteCheckpointer } from './sqlite-checkpointer.js';

let dir: string;
let file: string;
let db: Database.Database;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-checkpoint-'));
  file = path.join(dir, 'db.sqlite');
  db = openSqliteFile(file);
  // Only the thread may checkpoint: the writer never copies its WAL over by itself here.
  db.pragma('wal_autocheckpoint = 0');
  db.exec('CREATE TABLE t (v TEXT)');
});

afterEach(() => {
  if (db.open) db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function writeRows(count: number): void {
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
  db.transaction(() => {
    for (let i = 0; i < count; i += 1) insert.run('x'.repeat(200));
  })();
}

/** The database file's size: it grows only when a checkpoint copies WAL pages into it. */
const fileSize = (): number => fs.statSync(file).size;

async function waitFor(condition: () => boolean, ms = 5_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  return condition();
}

/** Ids of this process's threads at `nice` (Linux: /proc/self/task/<id>/stat, field 19). */
function threadsAtNice(nice: number): string[] {
  return fs.readdirSync('/proc/self/task').filter((id) => {
    try {
      const stat = fs.readFileSync(`/proc/self/task/${id}/stat`, 'utf8');
      // After "pid (comm) " the fields are space-separated; nice is the 17th of them.
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]) === nice;
    } catch {
      return false; // a thread that ended meanwhile
    }
  });
}

describe('startSqliteCheckpointer', () => {
  it('copies committed pages into the database file on its own thread', async () => {
    writeRows(2_000);
    const before = fileSize();
    const checkpointer = startSqliteCheckpointer({ file });
    checkpointer.committed();
    expect(await waitFor(() => fileSize() > before + 100 * 1024)).toBe(true);
    await checkpointer.stop();
    expect(db.prepare('SELECT COUNT(*) AS n FROM t').get()).toEqual({ n: 2_000 });
  });

  it('sleeps until it is told of a commit', async () => {
    const checkpointer = startSqliteCheckpointer({ file, minIntervalMs: 1 });
    writeRows(2_000);
    const before = fileSize();
    await new Promise((r) => setTimeout(r, 300));
    expect(fileSize()).toBe(before);
    checkpointer.committed();
    expect(await waitFor(() => fileSize() > before)).toBe(true);
    await checkpointer.stop();
  });

  it('checkpoints a last time when stopped', async () => {
    const checkpointer = startSqliteCheckpointer({ file, minIntervalMs: 60_000 });
    // The first checkpoint happens at once; the rows written after it wait for the interval...
    checkpointer.committed();
    await new Promise((r) => setTimeout(r, 200));
    writeRows(2_000);
    checkpointer.committed();
    const before = fileSize();
    // ...or for stop(), which does not wait the minute out.
    await checkpointer.stop();
    expect(fileSize()).toBeGreaterThan(before);
  });

  it('runs at the lowest CPU priority on Linux, and leaves the rest of the process as it was', async () => {
    // Node names nice 19 PRIORITY_LOW, the lowest there is.
    const lowest = os.constants.priority.PRIORITY_LOW;
    const mainBefore = os.getPriority();
    const lowBefore = process.platform === 'linux' ? threadsAtNice(lowest) : [];
    writeRows(2_000);
    const before = fileSize();
    const checkpointer = startSqliteCheckpointer({ file });
    checkpointer.committed();
    // A checkpoint has run, so the thread got past lowering its priority.
    expect(await waitFor(() => fileSize() > before)).toBe(true);
    if (process.platform === 'linux') {
      const lowered = threadsAtNice(lowest).filter((id) => !lowBefore.includes(id));
      expect(lowered).toHaveLength(1);
    }
    // Elsewhere the thread keeps the default, since the call would lower the whole process.
    expect(os.getPriority()).toBe(mainBefore);
    await checkpointer.stop();
  });

  it('reports a checkpoint that cannot run and still stops', async () => {
    const errors: string[] = [];
    const checkpointer = startSqliteCheckpointer({
      file: path.join(dir, 'missing.sqlite'),
      onError: (message) => errors.push(message),
    });
    expect(await waitFor(() => errors.length > 0)).toBe(true);
    expect(errors[0]).toMatch(/unable to open database file/);
    checkpointer.committed();
    await checkpointer.stop();
  });
});
