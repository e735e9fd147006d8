import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';

/**
 * Opens (creating) a gateway SQLite file: owner-only permissions because these files hold
 * replayable answers, revocations and conversations; WAL so readers never block the writer; and
 * `synchronous = NORMAL`, which in WAL mode may lose the last commits on power loss but never
 * corrupts the file, and spares every write an fsync.
 */
export function openSqliteFile(file: string): Database.Database {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  // Create the file ourselves so it is never world-readable, not even for a moment.
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  return db;
}

/**
 * Keeps the connection's temporary data in memory, for the statement journal: inside
 * BEGIN … COMMIT, SQLite keeps the pages each statement changes so that the statement alone can
 * be rolled back, and past 64 KiB it moves that journal to a temporary file, created, written and
 * deleted again for every such transaction. The journal only lives until its transaction ends, so
 * nothing durable changes. For connections whose transactions change a bounded number of pages
 * (a group commit of stores): a statement that rewrites a whole index, like an FTS5 `rebuild`,
 * would hold a copy of it in memory until it ends.
 */
export function keepTemporaryDataInMemory(db: Database.Database): void {
  db.pragma('temp_store = MEMORY');
}
