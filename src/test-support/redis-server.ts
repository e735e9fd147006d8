import { randomBytes } from 'node:crypto';
import { createRedisClient, escapeGlob, type RedisClient } from '../state/redis-client.js';

/*
 * Access to the machine's Redis for tests (127.0.0.1:6379, or GATEHOUSE_TEST_REDIS_URL). Every
 * run writes under its own key prefix and deletes it afterwards, so runs never see each other's
 * data and the machine's other keys are never touched.
 */

/** The Redis a test run uses. */
export const TEST_REDIS_URL = process.env.GATEHOUSE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const MISSING = `Redis is not reachable at ${TEST_REDIS_URL}. These tests need a real Redis:
  start it with  redis-server --daemonize yes --port 6379 --save "" --appendonly no
  (bash .ci/run starts it), or point GATEHOUSE_TEST_REDIS_URL at one.`;

/** A test's handle on Redis: connected clients, unique prefixes, cleanup. */
export interface TestRedis {
  url: string;
  /** A prefix no other run uses, e.g. `gatehouse-test:1234:9f2c…:`. */
  uniquePrefix(): string;
  /** A new connected client, closed by `close()`. */
  connect(): Promise<RedisClient>;
  /** Keys under `prefix`. */
  keys(prefix: string): Promise<string[]>;
  deleteKeys(prefix: string): Promise<void>;
  close(): Promise<void>;
}

/** Connects to the test Redis; throws with instructions when there is none (never skips). */
export async function createTestRedis(url: string = TEST_REDIS_URL): Promise<TestRedis> {
  const clients: RedisClient[] = [];
  const connect = async (): Promise<RedisClient> => {
    const client = createRedisClient({ url });
    clients.push(client);
    try {
      await client.connect();
    } catch (error) {
      throw new Error(MISSING, { cause: error });
    }
    return client;
  };
  const admin = await connect();
  const keys = async (prefix: string): Promise<string[]> => {
    const found: string[] = [];
    const MATCH = `${escapeGlob(prefix)}*`;
    for await (const batch of admin.scanIterator({ MATCH, COUNT: 500 })) found.push(...batch);
    return found;
  };
  return {
    url,
    uniquePrefix: () => `gatehouse-test:${process.pid}:${randomBytes(6).toString('hex')}:`,
    connect,
    keys,
    async deleteKeys(prefix) {
      const found = await keys(prefix);
      if (found.length > 0) await admin.unlink(found);
    },
    async close() {
      await Promise.all(clients.map((client) => (client.isOpen ? client.close() : undefined)));
    },
  };
}
