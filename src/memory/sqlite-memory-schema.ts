import type Database from 'better-sqlite3';

/*
 * Earlier versions kept an index on (category, id). No query could use it for anything a scan
 * of the table in id order does not do as well (list filters with "@category IS NULL OR ...",
 * retention scans in id order either way), and every store paid for one more B-tree: files of
 * those versions lose it at their next open.
 */
const TABLES = `
CREATE TABLE IF NOT EXISTS memories (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  key TEXT NOT NULL UNIQUE,
  content TEXT NOT NULL,
  category TEXT NOT NULL,
  session_id TEXT,
  role TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS memories_session ON memories (session_id, id);
DROP INDEX IF EXISTS memories_category;
`;

/**
 * External-content FTS5 index over `memories`, filled lazily: a store does not index its row;
 * `recall` first indexes every row above `memories_fts_state.indexed_id` (ids only grow, with
 * AUTOINCREMENT), then searches. Rows at or below that mark are in the index, so changing or
 * deleting one updates the index at once (the triggers); a row above it is indexed as it is
 * when a recall comes. Nothing in the gateway's request path searches memory, so its stores do
 * not pay for an index only a search reads.
 */
const FTS_TABLE = `
CREATE VIRTUAL TABLE IF NOT EXISTS memories_fts
  USING fts5(content, content = 'memories', content_rowid = 'id');
CREATE TABLE IF NOT EXISTS memories_fts_state (
  only INTEGER PRIMARY KEY CHECK (only = 1),
  indexed_id INTEGER NOT NULL
);
`;

/** Earlier versions indexed every row as it was inserted, with this trigger. */
const EAGER_INSERT_TRIGGER = 'memories_fts_insert';

/** The triggers that keep indexed rows right, by name; SQLite keeps each statement's text. */
const FTS_TRIGGERS: ReadonlyMap<string, string> = new Map([
  [
    'memories_fts_delete',
    `CREATE TRIGGER memories_fts_delete AFTER DELETE ON memories
  WHEN old.id <= (SELECT indexed_id FROM memories_fts_state)
BEGIN
  INSERT INTO memories_fts (memories_fts, rowid, content) VALUES ('delete', old.id, old.content);
END`,
  ],
  [
    'memories_fts_update',
    `CREATE TRIGGER memories_fts_update AFTER UPDATE OF content ON memories
  WHEN old.id <= (SELECT indexed_id FROM memories_fts_state)
BEGIN
  INSERT INTO memories_fts (memories_fts, rowid, content) VALUES ('delete', old.id, old.content);
  INSERT INTO memories_fts (rowid, content) VALUES (new.id, new.content);
END`,
  ],
]);

/**
 * Replaces the triggers unless they are already these (an open then writes nothing): earlier
 * versions' triggers had the same names without the WHEN clause, plus the insert trigger.
 */
function installFtsTriggers(db: Database.Database, eagerTrigger: boolean): void {
  const stored = db.prepare<[string], string>(
    "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?",
  );
  const current = [...FTS_TRIGGERS].every(([name, sql]) => stored.pluck().get(name) === sql);
  if (current && !eagerTrigger) return;
  db.exec(`DROP TRIGGER IF EXISTS ${EAGER_INSERT_TRIGGER}`);
  for (const [name, sql] of FTS_TRIGGERS) {
    db.exec(`DROP TRIGGER IF EXISTS ${name}`);
    db.exec(sql);
  }
}

/** How `recall` searches: the FTS5 index, or LIKE when FTS5 is missing or not wanted. */
export type RecallMode = 'fts5' | 'like';

/**
 * Creates the tables (once, at open — never per write) and, when wanted and compiled in, the FTS5
 * index. Returns the search mode actually available.
 */
export function migrateMemorySchema(db: Database.Database, wanted: RecallMode): RecallMode {
  db.exec(TABLES);
  if (wanted === 'like') return 'like';
  const exists = db.prepare<[string, string], 1>(
    'SELECT 1 FROM sqlite_master WHERE type = ? AND name = ?',
  );
  const indexExisted = exists.get('table', 'memories_fts') !== undefined;
  const eagerTrigger = exists.get('trigger', EAGER_INSERT_TRIGGER) !== undefined;
  try {
    // One transaction: the index, its mark and the triggers are created together or not at all.
    db.transaction(() => {
      db.exec(FTS_TABLE);
      const marked =
        db.prepare<[], 1>('SELECT 1 FROM memories_fts_state WHERE only = 1').get() !== undefined;
      if (!indexExisted) {
        // A new index: the first recall indexes every row.
        setMark(db, 0);
      } else if (eagerTrigger && !marked) {
        // Kept by an earlier version's insert trigger: every row is in the index.
        setMark(db, lastRowId(db));
      } else if (eagerTrigger || !marked) {
        // An earlier version has written to this file since (its insert trigger is back), or
        // the mark is gone: what the index holds is unknown, so index everything again.
        db.exec("INSERT INTO memories_fts (memories_fts) VALUES ('rebuild')");
        setMark(db, lastRowId(db));
      }
      installFtsTriggers(db, eagerTrigger);
    })();
  } catch (error) {
    // "no such module: fts5" on a SQLite built without it: fall back to LIKE search.
    if (error instanceof Error && /no such module: fts5/i.test(error.message)) return 'like';
    throw error;
  }
  return 'fts5';
}

const LAST_ROW_ID_SQL = 'SELECT COALESCE(MAX(id), 0) FROM memories';

function lastRowId(db: Database.Database): number {
  return db.prepare<[], number>(LAST_ROW_ID_SQL).pluck().get() ?? 0;
}

function setMark(db: Database.Database, indexedId: number): void {
  db.prepare<[number]>(
    'INSERT OR REPLACE INTO memories_fts_state (only, indexed_id) VALUES (1, ?)',
  ).run(indexedId);
}

/** Rows indexed per transaction when recall catches up: a few milliseconds of work. */
export const INDEX_CHUNK_ROWS = 500;

/** Where the lazily filled search index stands, and the step that fills it. */
export interface SearchIndex {
  /** The highest row id stored (0: none). */
  lastRowId(): number;
  /** Every row up to this id is in the index. */
  indexedUpTo(): number;
  /**
   * Indexes the next rows above the mark and moves the mark past them, in one transaction;
   * true once the mark has reached `upTo`.
   */
  indexNext(upTo: number): boolean;
}

export function prepareSearchIndex(db: Database.Database, chunkRows: number): SearchIndex {
  const lastRowId = db.prepare<[], number>(LAST_ROW_ID_SQL).pluck();
  const mark = db.prepare<[], number>('SELECT indexed_id FROM memories_fts_state').pluck();
  const next = db.prepare<[number, number], { id: number; content: string }>(
    'SELECT id, content FROM memories WHERE id > ? ORDER BY id LIMIT ?',
  );
  const index = db.prepare<[number, string]>(
    'INSERT INTO memories_fts (rowid, content) VALUES (?, ?)',
  );
  const move = db.prepare<[number]>('UPDATE memories_fts_state SET indexed_id = ?');
  const indexedUpTo = (): number => mark.get() ?? 0;
  return {
    lastRowId: () => lastRowId.get() ?? 0,
    indexedUpTo,
    indexNext: db.transaction((upTo: number): boolean => {
      const from = indexedUpTo();
      const rows = next.all(from, chunkRows);
      for (const row of rows) index.run(row.id, row.content);
      const last = rows.at(-1)?.id ?? from;
      // Fewer rows than asked: none is left above the last one, so the mark may pass `upTo`
      // (AUTOINCREMENT never reuses an id, so no row can appear below it later).
      const reached = rows.length < chunkRows ? Math.max(last, upTo) : last;
      if (move.run(reached).changes !== 1) {
        // Never left without its mark by the migration; should it go, stop rather than loop.
        throw new Error('memory search index: memories_fts_state has no mark');
      }
      return reached >= upTo;
    }),
  };
}

/** Most search terms used from one query, so a huge query cannot make a huge MATCH. */
const MAX_TERMS = 32;

/** Splits a free-text query into distinct words (letters, digits, underscore); no query syntax survives. */
export function queryTerms(query: string): string[] {
  const words = query.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [];
  return [...new Set(words)].slice(0, MAX_TERMS);
}

/**
 * An FTS5 MATCH expression that finds any of the terms. Each term is a quoted string, so
 * operators (`NEAR`, `AND`, `*`, `^`, column filters) typed by a user are searched, never run.
 */
export function ftsMatchExpression(terms: readonly string[]): string {
  return terms.map((term) => `"${term.replaceAll('"', '""')}"`).join(' OR ');
}

/** `%term%` with LIKE wildcards escaped (ESCAPE '\'), so `%` and `_` match themselves. */
export function likePattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
