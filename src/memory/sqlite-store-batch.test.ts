import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateMemorySchema } from './sqlite-memory-schema.js';
import { prepareStoreBatch, ROWS_PER_STATEMENT, type StoreParams } from './sqlite-store-batch.js';

const row = (key: string, content = `content of ${key}`, session = 's'): StoreParams => [
  key,
  content,
  'conversation',
  session,
  'user',
  '2026-12-04T17:00:00.000Z',
];

describe('prepareStoreBatch', () => {
  let db: Database.Database;
  let write: (rows: readonly StoreParams[]) => void;
  const stored = () =>
    db
      .prepare<[], { id: number; key: string; content: string }>(
        'SELECT id, key, content FROM memories ORDER BY id',
      )
      .all();

  beforeEach(() => {
    db = new Database(':memory:');
    migrateMemorySchema(db, 'fts5');
    write = prepareStoreBatch(db);
  });
  afterEach(() => db.close());

  it.each([1, 2, ROWS_PER_STATEMENT - 1, ROWS_PER_STATEMENT, ROWS_PER_STATEMENT + 1, 100])(
    'writes a batch of %i rows in order',
    (count) => {
      const keys = Array.from({ length: count }, (_, i) => `k${i}`);
      write(keys.map((key) => row(key)));
      expect(stored().map((r) => r.key)).toEqual(keys);
    },
  );

  it('applies a later store of a key over an earlier one, in place, within one batch', () => {
    write([row('a', 'first'), row('b'), row('a', 'second')]);
    write([row('b', 'again')]);
    expect(stored()).toEqual([
      { id: 1, key: 'a', content: 'second' },
      { id: 2, key: 'b', content: 'again' },
    ]);
  });

  it.each([
    ['in one statement', 3],
    ['in the last statement of a chunked batch', ROWS_PER_STATEMENT * 2 + 5],
  ])('writes nothing of a batch with a failing row %s', (_name, count) => {
    write([row('before')]);
    db.exec(`CREATE TRIGGER poison BEFORE INSERT ON memories WHEN new.content = 'poison'
             BEGIN SELECT RAISE(ABORT, 'poisoned row'); END`);
    const rows = Array.from({ length: count }, (_, i) => row(`k${i}`));
    rows[count - 1] = row('bad', 'poison');
    expect(() => write(rows)).toThrow('poisoned row');
    expect(stored().map((r) => r.key)).toEqual(['before']);
    expect(db.inTransaction).toBe(false);
  });

  it('does nothing for an empty batch', () => {
    write([]);
    expect(stored()).toEqual([]);
  });
});
