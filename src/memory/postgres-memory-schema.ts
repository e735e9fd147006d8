import type { PoolClient } from 'pg';

/*
 * Versioned migrations of the PostgreSQL memory. Each entry runs once, in order, inside one
 * transaction that holds a transaction-level advisory lock: several instances starting at once
 * queue on the lock, and each later one finds the versions already recorded.
 */

/** Advisory lock key for memory migrations (an arbitrary constant shared by every instance). */
export const MIGRATION_LOCK_KEY = 0x6761_7465; // "gate"

/** Migration N is `MIGRATIONS[N - 1]`; append only, never edit a released one. */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE memories (
     id BIGSERIAL PRIMARY KEY,
     key TEXT NOT NULL UNIQUE,
     content TEXT NOT NULL,
     category TEXT NOT NULL,
     session_id TEXT,
     role TEXT,
     created_at TEXT NOT NULL
   );
   CREATE INDEX memories_session ON memories (session_id, id);
   CREATE INDEX memories_category ON memories (category, id);`,
];

/** Applies the migrations the database lacks; returns the schema version afterwards. */
export async function migratePostgresMemory(client: PoolClient): Promise<number> {
  await client.query('BEGIN');
  try {
    // Taken before anything else, so even the bookkeeping table is created by one instance only
    // (concurrent CREATE TABLE IF NOT EXISTS can still collide in the catalog).
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS gatehouse_migrations (
         component TEXT NOT NULL,
         version INTEGER NOT NULL,
         applied_at TIMESTAMPTZ NOT NULL DEFAULT now(),
         PRIMARY KEY (component, version)
       )`,
    );
    const result = await client.query<{ version: number | null }>(
      "SELECT max(version) AS version FROM gatehouse_migrations WHERE component = 'memory'",
    );
    const current = result.rows[0]?.version ?? 0;
    if (current > MIGRATIONS.length) {
      throw new Error(
        `memory schema version ${current} is newer than this gatehouse knows (${MIGRATIONS.length}); upgrade gatehouse`,
      );
    }
    for (let version = current + 1; version <= MIGRATIONS.length; version += 1) {
      await client.query(MIGRATIONS[version - 1] as string);
      await client.query(
        "INSERT INTO gatehouse_migrations (component, version) VALUES ('memory', $1)",
        [version],
      );
    }
    await client.query('COMMIT');
    return MIGRATIONS.length;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}
