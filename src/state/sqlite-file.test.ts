import { mkdtempSync, readdirSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { keepTemporaryDataInMemory, openSqliteFile } from './sqlite-file.js';

/** Files this process holds open that SQLite made as temporary files (unlinked, still open). */
function openTemporaryFiles(): string[] {
  return readdirSync('/proc/self/fd')
    .map((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`);
      } catch {
        return ''; // closed meanwhile (the readdir's own descriptor)
      }
    })
    .filter((target) => target.includes('etilqs_'));
}

describe('SQLite files', () => {
  let dir: string;
  let db: Database.Database | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-sqlite-file-'));
  });
  afterEach(() => {
    db?.close();
    db = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('openSqliteFile creates an owner-only file in WAL mode, synchronous NORMAL, temporary data as built', () => {
    const file = join(dir, 'nested', 'gateway.db');
    db = openSqliteFile(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(1);
    expect(db.pragma('temp_store', { simple: true })).toBe(0);
  });

  it('keepTemporaryDataInMemory keeps a large statement journal out of temporary files', () => {
    // Checked against a connection without it: a transaction whose second statement changes
    // some 200 pages the first one wrote, far past the 64 KiB SQLite keeps in memory anyway. The
    // NOT NULL column is what makes SQLite journal that statement: it could fail halfway.
    const plain = openSqliteFile(join(dir, 'default.db'));
    db = openSqliteFile(join(dir, 'gateway.db'));
    keepTemporaryDataInMemory(db);
    expect(db.pragma('temp_store', { simple: true })).toBe(2);
    const seen = (target: Database.Database): string[] => {
      target.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
      const insert = target.prepare('INSERT INTO t (body) VALUES (?)');
      let during: string[] = [];
      target.transaction(() => {
        for (let i = 0; i < 4000; i++) insert.run('x'.repeat(200));
        target.exec("UPDATE t SET body = body || 'y'");
        during = openTemporaryFiles();
      })();
      return during;
    };
    try {
      expect(seen(plain).length).toBeGreaterThan(0);
    } finally {
      plain.close();
    }
    expect(seen(db)).toEqual([]);
  });
});
