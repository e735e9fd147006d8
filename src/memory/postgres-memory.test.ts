import { connect, createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../test-support/free-port.js';
import { runMemoryContract } from '../test-support/memory-contract.js';
import { createTestPostgres, type TestPostgres } from '../test-support/postgres-server.js';
import { createPostgresMemory } from './postgres-memory.js';
import { MIGRATIONS } from './postgres-memory-schema.js';

let server: TestPostgres;
beforeAll(async () => {
  server = await createTestPostgres();
});
afterAll(async () => {
  await server.close();
});

runMemoryContract('postgres', async () => {
  const schema = await server.createSchema();
  return {
    memory: createPostgresMemory({ url: server.url, schema }),
    persists: true,
    cleanup: () => server.dropSchema(schema),
  };
});

describe('PostgresMemory', () => {
  it('migrates once when several instances start at the same moment', async () => {
    const schema = await server.createSchema();
    const instances = Array.from({ length: 4 }, () =>
      createPostgresMemory({ url: server.url, schema, maxConnections: 2 }),
    );
    await Promise.all(instances.map((memory) => memory.ready()));
    const probe = createPostgresMemory({ url: server.url, schema });
    await probe.store('k', 'v', 'custom');
    expect(await probe.count()).toBe(1);
    await Promise.all([...instances, probe].map((memory) => memory.close()));
    const check = await import('pg');
    const pool = new check.default.Pool({
      connectionString: server.url,
      options: `-c search_path=${schema}`,
    });
    const rows = await pool.query(
      "SELECT version FROM gatehouse_migrations WHERE component = 'memory'",
    );
    expect(rows.rows.map((row: { version: number }) => row.version)).toEqual(
      MIGRATIONS.map((_, i) => i + 1),
    );
    await pool.end();
    await server.dropSchema(schema);
  });

  it('shares one history between two instances (alternating turns)', async () => {
    const schema = await server.createSchema();
    const a = createPostgresMemory({ url: server.url, schema });
    const b = createPostgresMemory({ url: server.url, schema });
    await a.store('t1', 'hello', 'conversation', 's', 'user');
    await b.store('t2', 'hi', 'conversation', 's', 'assistant');
    await a.store('t3', 'again', 'conversation', 's', 'user');
    expect((await b.history('s', 10)).map((e) => e.key)).toEqual(['t1', 't2', 't3']);
    await Promise.all([a.close(), b.close()]);
    await server.dropSchema(schema);
  });

  it('writes the stores still in flight, queued ones too, before it closes', async () => {
    const schema = await server.createSchema();
    const first = createPostgresMemory({ url: server.url, schema });
    await first.ready();
    const stores = [
      first.store('q', 'question', 'conversation', 's', 'user'),
      first.store('r', 'reply', 'conversation', 's', 'assistant'),
    ];
    await first.close();
    await Promise.all(stores);
    const second = createPostgresMemory({ url: server.url, schema });
    expect((await second.history('s', 10)).map((e) => e.key)).toEqual(['q', 'r']);
    await second.close();
    await server.dropSchema(schema);
  });

  it('fails a write stuck behind a lock after its query timeout, and the session goes on', async () => {
    const schema = await server.createSchema();
    const memory = createPostgresMemory({ url: server.url, schema, queryTimeoutMs: 300 });
    await memory.ready();
    const locker = new (await import('pg')).default.Client({
      connectionString: server.url,
      options: `-c search_path=${schema}`,
    });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE memories IN ACCESS EXCLUSIVE MODE');
    const stuck = memory.store('q', 'question', 'conversation', 's', 'user');
    const queued = memory.store('r', 'reply', 'conversation', 's', 'assistant');
    await expect(stuck).rejects.toThrow(/timeout/i);
    await locker.query('ROLLBACK');
    await locker.end();
    await queued;
    expect((await memory.history('s', 10)).map((e) => e.key)).toContain('r');
    await memory.close();
    await server.dropSchema(schema);
  });

  it('gives two overlapping close() calls the same outcome', async () => {
    const schema = await server.createSchema();
    const memory = createPostgresMemory({ url: server.url, schema });
    await memory.ready();
    const store = memory.store('q', 'question', 'conversation', 's', 'user');
    await expect(Promise.all([memory.close(), memory.close()])).resolves.toEqual([
      undefined,
      undefined,
    ]);
    await store;
    await server.dropSchema(schema);
  });

  it('refuses a database whose schema is newer than this version', async () => {
    const schema = await server.createSchema();
    const first = createPostgresMemory({ url: server.url, schema });
    await first.ready();
    await first.close();
    const pool = new (await import('pg')).default.Pool({
      connectionString: server.url,
      options: `-c search_path=${schema}`,
    });
    await pool.query(
      "INSERT INTO gatehouse_migrations (component, version) VALUES ('memory', 999)",
    );
    await pool.end();
    const second = createPostgresMemory({ url: server.url, schema });
    await expect(second.ready()).rejects.toThrow(/newer than this gatehouse knows/);
    await second.close();
    await server.dropSchema(schema);
  });

  it('recovers without a restart when the server was unreachable at start', async () => {
    const port = await freePort();
    const target = new URL(server.url);
    const url = `postgres://${target.username}@127.0.0.1:${port}${target.pathname}`;
    const schema = await server.createSchema();
    const memory = createPostgresMemory({ url, schema });
    await expect(memory.ready()).rejects.toThrow();
    // The server "comes back": a forwarder to the real one starts listening on that port.
    const forwarder = createServer((socket) => {
      const upstream = connect(Number(target.port || 5432), target.hostname);
      socket.pipe(upstream).pipe(socket);
      socket.on('error', () => upstream.destroy());
      upstream.on('error', () => socket.destroy());
    });
    await new Promise<void>((resolve) => forwarder.listen(port, '127.0.0.1', resolve));
    await memory.store('k', 'after the outage', 'custom');
    expect((await memory.get('k'))?.content).toBe('after the outage');
    await memory.close();
    await new Promise((resolve) => forwarder.close(resolve));
    await server.dropSchema(schema);
  });

  it('rejects calls when the server cannot be reached', async () => {
    const memory = createPostgresMemory({ url: 'postgres://postgres@127.0.0.1:1/none' });
    await expect(memory.count()).rejects.toThrow();
    await memory.close();
  });
});
