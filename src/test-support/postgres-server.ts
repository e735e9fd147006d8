import { randomBytes } from 'node:crypto';
import pg from 'pg';

/*
 * Access to the machine's PostgreSQL for tests (127.0.0.1:5432, user postgres, trust auth; or
 * GATEHOUSE_TEST_POSTGRES_URL). Every run works in its own schema or database and drops it
 * afterwards, so runs never see each other's rows.
 */

/** The server a test run uses (a maintenance database on it). */
export const TEST_POSTGRES_URL =
  process.env.GATEHOUSE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const MISSING = `PostgreSQL is not reachable at ${TEST_POSTGRES_URL}. These tests need a real server:
  start it with  pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start
  (bash .ci/run starts it), or point GATEHOUSE_TEST_POSTGRES_URL at one.`;

/** A test's handle on PostgreSQL. */
export interface TestPostgres {
  url: string;
  /** Creates a fresh schema and returns its name. */
  createSchema(): Promise<string>;
  dropSchema(name: string): Promise<void>;
  /** Creates a fresh database and returns its URL. */
  createDatabase(): Promise<string>;
  dropDatabase(url: string): Promise<void>;
  close(): Promise<void>;
}

/** A name no other run uses: letters, digits and underscores only (safe to quote as an identifier). */
function uniqueName(kind: string): string {
  return `gatehouse_test_${kind}_${process.pid}_${randomBytes(5).toString('hex')}`;
}

/** Connects to the test server; throws with instructions when there is none (never skips). */
export async function createTestPostgres(url: string = TEST_POSTGRES_URL): Promise<TestPostgres> {
  const admin = new pg.Pool({ connectionString: url, max: 2 });
  admin.on('error', () => undefined);
  try {
    await admin.query('SELECT 1');
  } catch (error) {
    await admin.end();
    throw new Error(MISSING, { cause: error });
  }
  return {
    url,
    async createSchema() {
      const name = uniqueName('s');
      await admin.query(`CREATE SCHEMA "${name}"`);
      return name;
    },
    async dropSchema(name) {
      await admin.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
    },
    async createDatabase() {
      const name = uniqueName('db');
      await admin.query(`CREATE DATABASE "${name}"`);
      const target = new URL(url);
      target.pathname = `/${name}`;
      return target.toString();
    },
    async dropDatabase(databaseUrl) {
      const name = new URL(databaseUrl).pathname.slice(1);
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
    close: () => admin.end(),
  };
}
