import type Database from 'better-sqlite3';

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
CREATE INDEX IF NOT EXISTS memories_category ON memories (category, id);
`;

/** External-content FTS5 index kept in step with `memories` by triggers. */
const FTS = `
CREATE VIRTUAL TABLE IF NOT EXISTS memories_fts
  USING fts5(content, content = 'memories', content_rowid = 'id');
CREATE TRIGGER IF NOT EXISTS memories_fts_insert AFTER INSERT ON memories BEGIN
  INSERT INTO memories_fts (rowid, content) VALUES (new.id, new.content);
END;
CREATE TRIGGER IF NOT EXISTS memories_fts_delete AFTER DELETE ON memories BEGIN
  INSERT INTO memories_fts (memories_fts, rowid, content) VALUES ('delete', old.id, old.content);
END;
CREATE TRIGGER IF NOT EXISTS memories_fts_update AFTER UPDATE OF content ON memories BEGIN
  INSERT INTO memories_fts (memories_fts, rowid, content) VALUES ('delete', old.id, old.content);
  INSERT INTO memories_fts (rowid, content) VALUES (new.id, new.content);
END;
`;

/** How `recall` searches: the FTS5 index, or LIKE when FTS5 is missing or not wanted. */
export type RecallMode = 'fts5' | 'like';

/**
 * Creates the tables (once, at open — never per write) and, when wanted and compiled in, the FTS5
 * index. Returns the search mode actually available.
 */
export function migrateMemorySchema(db: Database.Database, wanted: RecallMode): RecallMode {
  db.exec(TABLES);
  if (wanted === 'like') return 'like';
  const existed =
    db
      .prepare<[], { n: number }>(
        "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'memories_fts'",
      )
      .get()?.n === 1;
  try {
    db.exec(FTS);
  } catch (error) {
    // "no such module: fts5" on a SQLite built without it: fall back to LIKE search.
    if (error instanceof Error && /fts5/i.test(error.message)) return 'like';
    throw error;
  }
  // Rows written before the index existed (e.g. by a LIKE-only build) must be indexed once.
  if (!existed) db.exec("INSERT INTO memories_fts (memories_fts) VALUES ('rebuild')");
  return 'fts5';
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
