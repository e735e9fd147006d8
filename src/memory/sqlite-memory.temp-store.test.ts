import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type * as State from '../state/index.js';

/** What the memory's connection looked like when its temporary data went to memory. */
const seen: { db?: Database.Database; schemaReady?: boolean } = {};

vi.mock('../state/index.js', async (importOriginal) => {
  const real = await importOriginal<typeof State>();
  return {
    ...real,
    keepTemporaryDataInMemory: vi.fn((db: Database.Database) => {
      seen.db = db;
      seen.schemaReady =
        db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'memories_fts_state'").get() !==
        undefined;
      real.keepTemporaryDataInMemory(db);
    }),
  };
});

const { createSqliteMemory } = await import('./sqlite-memory.js');

let dir: string;
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('SqliteMemory temporary data', () => {
  it('is kept in memory on the connection, from after the schema migration on', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-memory-'));
    const memory = createSqliteMemory({ path: path.join(dir, 'memory.db') });
    try {
      expect(seen.schemaReady).toBe(true);
      expect(seen.db?.pragma('temp_store', { simple: true })).toBe(2);
      // A group commit of more than one statement's rows (a transaction) still lands whole.
      await Promise.all(
        Array.from({ length: 150 }, (_, i) =>
          memory.store(`k${i}`, `text ${i}`, 'conversation', 's', 'user'),
        ),
      );
      expect(await memory.count()).toBe(150);
    } finally {
      await memory.close();
    }
  });
});
