import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteMemory } from './sqlite-memory.js';

/*
 * The search index is filled by recall, not by stores. These tests check it against the rows
 * with FTS5's own integrity check, which fails on a missing, stale or duplicated entry (so it
 * runs only where every row should be indexed).
 */

let dir: string;
let file: string;
let peek: Database.Database | undefined;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-search-index-'));
  file = path.join(dir, 'memory.db');
});

afterEach(() => {
  peek?.close();
  peek = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A second connection on the file. */
function look(): Database.Database {
  peek ??= new Database(file);
  return peek;
}

const indexedId = (): number =>
  look().prepare<[], number>('SELECT indexed_id FROM memories_fts_state').pluck().get() ?? -1;

const matches = (word: string): number[] =>
  look()
    .prepare<[string], number>('SELECT rowid FROM memories_fts WHERE memories_fts MATCH ?')
    .pluck()
    .all(`"${word}"`);

function assertIndexMatchesRows(): void {
  look().exec("INSERT INTO memories_fts (memories_fts, rank) VALUES ('integrity-check', 1)");
}

const keysOf = (entries: readonly { key: string }[]): string[] => entries.map((e) => e.key);

describe('SqliteMemory search index', () => {
  it('leaves stored rows out of the index until a recall, which indexes every one', async () => {
    const memory = createSqliteMemory({ path: file });
    await memory.store('a', 'the blue door', 'conversation', 's1', 'user');
    await memory.store('b', 'a red door', 'conversation', 's1', 'assistant');
    expect(indexedId()).toBe(0);
    expect(matches('door')).toEqual([]);
    expect(keysOf(await memory.recall('door', 10)).sort()).toEqual(['a', 'b']);
    expect(indexedId()).toBe(2);
    expect(matches('door').sort()).toEqual([1, 2]);
    assertIndexMatchesRows();
    await memory.close();
  });

  it('keeps the index right through overwrites and deletes, indexed or not', async () => {
    const memory = createSqliteMemory({ path: file });
    await memory.store('a', 'apple', 'custom');
    await memory.store('b', 'banana', 'custom');
    expect(keysOf(await memory.recall('apple banana', 10)).sort()).toEqual(['a', 'b']);
    // Indexed rows: the index follows at once.
    await memory.store('a', 'apricot', 'custom');
    expect(await memory.forget('b')).toBe(true);
    assertIndexMatchesRows();
    // Rows above the mark: the index does not know them yet.
    await memory.store('c', 'cherry', 'custom');
    await memory.store('c', 'coconut', 'custom');
    await memory.store('d', 'date', 'custom');
    expect(await memory.forget('d')).toBe(true);
    expect(matches('coconut')).toEqual([]);
    expect(await memory.recall('apple banana cherry date', 10)).toEqual([]);
    expect(keysOf(await memory.recall('apricot coconut', 10)).sort()).toEqual(['a', 'c']);
    assertIndexMatchesRows();
    await memory.close();
  });

  it('indexes a long backlog in chunks, and concurrent recalls see all of it', async () => {
    const memory = createSqliteMemory({ path: file });
    await Promise.all(
      Array.from({ length: 1_234 }, (_, i) =>
        memory.store(`k${i}`, `line ${i} of the backlog`, 'conversation', 's1', 'user'),
      ),
    );
    const [first, second] = await Promise.all([
      memory.recall('backlog', 2_000),
      memory.recall('backlog', 2_000),
    ]);
    expect(first).toHaveLength(1_234);
    expect(second).toHaveLength(1_234);
    expect(indexedId()).toBe(1_234);
    assertIndexMatchesRows();
    await memory.close();
  });

  it('keeps recalling what was stored after an earlier recall', async () => {
    const memory = createSqliteMemory({ path: file });
    await memory.store('a', 'first word', 'custom');
    expect(keysOf(await memory.recall('word', 10))).toEqual(['a']);
    await memory.store('b', 'second word', 'custom');
    expect(keysOf(await memory.recall('word', 10)).sort()).toEqual(['a', 'b']);
    await memory.close();
    const again = createSqliteMemory({ path: file });
    await again.store('c', 'third word', 'custom');
    expect(keysOf(await again.recall('word', 10)).sort()).toEqual(['a', 'b', 'c']);
    assertIndexMatchesRows();
    await again.close();
  });

  it('lets a recall that started later wait for the rows stored since an earlier one began', async () => {
    // Two rows per chunk: the first recall (up to row 4) yields after rows 1-2.
    const memory = createSqliteMemory({ path: file, indexChunkRows: 2 });
    for (const key of ['k1', 'k2', 'k3', 'k4'])
      await memory.store(key, `${key} of the log`, 'custom');
    const first = memory.recall('log', 10);
    void memory.store('k5', 'k5 of the log', 'custom');
    void memory.store('k6', 'k6 of the log', 'custom');
    // Commits k5 and k6 and aims at row 6 while the first catch-up (aimed at row 4) runs.
    const second = memory.recall('log', 10);
    // The first may see k5 and k6 too (stored before it answered); it must see k1-k4.
    expect(keysOf(await first)).toEqual(expect.arrayContaining(['k1', 'k2', 'k3', 'k4']));
    expect(keysOf(await second).sort()).toEqual(['k1', 'k2', 'k3', 'k4', 'k5', 'k6']);
    assertIndexMatchesRows();
    await memory.close();
  });

  it('keeps the index right when retention deletes indexed and unindexed rows', async () => {
    const memory = createSqliteMemory({ path: file, clock: () => Date.UTC(2020, 0, 1) });
    await memory.store('old-indexed', 'ancient scroll', 'conversation', 's1', 'user');
    expect(keysOf(await memory.recall('scroll', 5))).toEqual(['old-indexed']);
    await memory.store('old-unindexed', 'ancient tablet', 'conversation', 's1', 'user');
    expect(await memory.prune({ olderThan: '2021-01-01T00:00:00.000Z', batchSize: 10 })).toBe(2);
    expect(await memory.recall('ancient scroll tablet', 5)).toEqual([]);
    assertIndexMatchesRows();
    await memory.close();
  });

  it('answers a recall that a close() overtook with "Memory is closed"', async () => {
    const memory = createSqliteMemory({ path: file });
    await memory.store('a', 'late question', 'custom');
    const refused = expect(memory.recall('question', 5)).rejects.toThrow('Memory is closed');
    await memory.close();
    await refused;
  });

  it('rebuilds the index at open when its mark has gone missing', async () => {
    const memory = createSqliteMemory({ path: file });
    await memory.store('a', 'marked words', 'custom');
    expect(keysOf(await memory.recall('marked', 5))).toEqual(['a']);
    await memory.store('b', 'unmarked words', 'custom');
    await memory.close();
    look().exec('DELETE FROM memories_fts_state');

    const again = createSqliteMemory({ path: file });
    expect(indexedId()).toBe(2);
    assertIndexMatchesRows();
    expect(keysOf(await again.recall('words', 5)).sort()).toEqual(['a', 'b']);
    await again.close();
  });

  it('refuses a recall, rather than looping, when the mark goes missing while open', async () => {
    const memory = createSqliteMemory({ path: file });
    await memory.store('a', 'some words', 'custom');
    look().exec('DELETE FROM memories_fts_state');
    await expect(memory.recall('words', 5)).rejects.toThrow(/has no mark/);
    await memory.close();
  });
});

describe('SqliteMemory search index at open', () => {
  it('writes nothing to the schema of a file that is already up to date', async () => {
    const first = createSqliteMemory({ path: file });
    await first.close();
    const version = (): unknown => look().pragma('schema_version', { simple: true });
    const before = version();
    const second = createSqliteMemory({ path: file });
    expect(version()).toBe(before);
    await second.close();
  });

  it('drops the category index of earlier versions, keeping every row', async () => {
    const first = createSqliteMemory({ path: file });
    await first.store('a', 'a fact', 'core');
    await first.store('b', 'a message', 'conversation', 'session-1', 'user');
    await first.close();
    const old = new Database(file);
    old.exec('CREATE INDEX memories_category ON memories (category, id)');
    old.close();

    const memory = createSqliteMemory({ path: file });
    const indexes = look()
      .prepare<[], string>(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'memories'",
      )
      .pluck()
      .all();
    expect(indexes).not.toContain('memories_category');
    expect(indexes).toContain('memories_session');
    expect((await memory.list({ category: 'core' })).map((entry) => entry.key)).toEqual(['a']);
    expect((await memory.history('session-1', 5)).map((entry) => entry.key)).toEqual(['b']);
    await memory.close();
  });
});

describe('SqliteMemory search index across recall modes', () => {
  it('indexes the rows of a file written with LIKE search at the first FTS5 recall', async () => {
    const like = createSqliteMemory({ path: file, recall: 'like' });
    await like.store('a', 'written without an index', 'custom');
    expect(keysOf(await like.recall('index', 5))).toEqual(['a']);
    await like.close();

    const fts = createSqliteMemory({ path: file });
    expect(fts.recallMode).toBe('fts5');
    expect(indexedId()).toBe(0);
    expect(keysOf(await fts.recall('index', 5))).toEqual(['a']);
    assertIndexMatchesRows();
    await fts.close();
  });
});

/** The schema of earlier versions: every row indexed by an insert trigger. */
const EAGER_SCHEMA = `
CREATE TABLE memories (
  id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE, content TEXT NOT NULL,
  category TEXT NOT NULL, session_id TEXT, role TEXT, created_at TEXT NOT NULL);
CREATE VIRTUAL TABLE memories_fts USING fts5(content, content = 'memories', content_rowid = 'id');
CREATE TRIGGER memories_fts_insert AFTER INSERT ON memories BEGIN
  INSERT INTO memories_fts (rowid, content) VALUES (new.id, new.content);
END;
CREATE TRIGGER memories_fts_delete AFTER DELETE ON memories BEGIN
  INSERT INTO memories_fts (memories_fts, rowid, content) VALUES ('delete', old.id, old.content);
END;
CREATE TRIGGER memories_fts_update AFTER UPDATE OF content ON memories BEGIN
  INSERT INTO memories_fts (memories_fts, rowid, content) VALUES ('delete', old.id, old.content);
  INSERT INTO memories_fts (rowid, content) VALUES (new.id, new.content);
END;
`;

function insertRaw(db: Database.Database, key: string, content: string): void {
  db.prepare(
    "INSERT INTO memories (key, content, category, created_at) VALUES (?, ?, 'custom', '2026-01-01T00:00:00.000Z')",
  ).run(key, content);
}

describe('SqliteMemory search index on a file of an earlier version', () => {
  it('takes over an index kept row by row, without indexing a row twice', async () => {
    const old = new Database(file);
    old.exec(EAGER_SCHEMA);
    insertRaw(old, 'a', 'green tea');
    insertRaw(old, 'b', 'black tea');
    old.close();

    const memory = createSqliteMemory({ path: file });
    expect(indexedId()).toBe(2);
    await memory.store('c', 'mint tea', 'custom');
    expect(keysOf(await memory.recall('tea', 10)).sort()).toEqual(['a', 'b', 'c']);
    assertIndexMatchesRows();
    await memory.close();
  });

  it('rebuilds the index when an earlier version has written to the file since', async () => {
    const memory = createSqliteMemory({ path: file });
    await memory.store('a', 'left behind', 'custom');
    await memory.close();
    // An earlier version opens the file: it brings its insert trigger back and writes a row.
    const old = new Database(file);
    old.exec(`CREATE TRIGGER memories_fts_insert AFTER INSERT ON memories BEGIN
      INSERT INTO memories_fts (rowid, content) VALUES (new.id, new.content);
    END;`);
    insertRaw(old, 'b', 'written by the old one');
    old.close();

    const again = createSqliteMemory({ path: file });
    assertIndexMatchesRows();
    expect(keysOf(await again.recall('left old', 10)).sort()).toEqual(['a', 'b']);
    await again.store('c', 'after the rebuild', 'custom');
    expect(keysOf(await again.recall('rebuild', 10))).toEqual(['c']);
    assertIndexMatchesRows();
    await again.close();
  });
});
