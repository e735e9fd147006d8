import type Database from 'better-sqlite3';
import type { MemoryCategory, MemoryRole } from './types.js';

/** key, content, category, session_id, role, created_at: one row of `memories`. */
export type StoreParams = [
  string,
  string,
  MemoryCategory,
  string | null,
  MemoryRole | null,
  string,
];

/** Rows one INSERT takes; a larger batch runs as several of them in one transaction. */
export const ROWS_PER_STATEMENT = 32;

const COLUMNS_PER_ROW = 6;

/**
 * Writes a batch of stores atomically, in order (a later store of a key overwrites an earlier one
 * in place, keeping its id). A batch of up to ROWS_PER_STATEMENT rows is one multi-row INSERT
 * outside any explicit transaction: inside BEGIN … COMMIT, SQLite copies every page a statement
 * changes into a statement journal so that the statement alone can be rolled back (the memory keeps
 * it in memory: keepTemporaryDataInMemory), and the BEGIN and COMMIT are statements of their own; a
 * single statement needs neither and is atomic all the same. The statement for each row count is
 * prepared on first use. The values go as arguments, not as one array: better-sqlite3 reads an
 * array's elements one call at a time, which costs more than the binding itself.
 */
export function prepareStoreBatch(db: Database.Database): (rows: readonly StoreParams[]) => void {
  const statements: Database.Statement<unknown[]>[] = [];
  const statementFor = (rows: number): Database.Statement<unknown[]> =>
    (statements[rows] ??= db.prepare<unknown[]>(
      `INSERT INTO memories (key, content, category, session_id, role, created_at)
       VALUES ${Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?)').join(', ')}
       ON CONFLICT (key) DO UPDATE SET content = excluded.content, category = excluded.category,
         session_id = excluded.session_id, role = excluded.role, created_at = excluded.created_at`,
    ));
  const write = (rows: readonly StoreParams[]): void => {
    const params: unknown[] = new Array(rows.length * COLUMNS_PER_ROW);
    let at = 0;
    for (const row of rows) for (const value of row) params[at++] = value;
    statementFor(rows.length).run(...params);
  };
  const writeInChunks = db.transaction((rows: readonly StoreParams[]) => {
    for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
      write(rows.slice(start, start + ROWS_PER_STATEMENT));
    }
  });
  return (rows) => {
    if (rows.length === 0) return;
    if (rows.length <= ROWS_PER_STATEMENT) write(rows);
    else writeInChunks(rows);
  };
}
