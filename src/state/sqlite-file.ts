import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';

/**
 * Opens (creating) a gateway SQLite file: owner-only permissions because these files hold
 * replayable answers, revocations and conversations; WAL so readers never block the writer;
 * `synchronous = NORMAL`, which in WAL mode may lose the last commits on power loss but never
 * corrupts the file, and spares every write an fsync; and temporary data in memory. The last is
 * for the statement journal: inside BEGIN … COMMIT, SQLite keeps the pages each statement changes
 * so that the statement alone can be rolled back, and past 64 KiB it moves that journal to a
 * temporary file, created, written and deleted again for every such transaction. Under load the
 * memory's group commits take a hundred rows each, in several statements, hundreds of times a
 * second: the temporary files were 15 % of the gateway's system calls. The journal is only
 * ever needed until its transaction ends, so nothing durable changes; the memory it takes is
 * bounded by one statement's pages, and no gateway query builds a temporary table or sort of
 * unbounded size.
 */
export function openSqliteFile(file: string): Database.Database {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  // Create the file ourselves so it is never world-readable, not even for a moment.
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('temp_store = MEMORY');
  return db;
}
