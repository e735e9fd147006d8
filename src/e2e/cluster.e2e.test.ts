import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, sendOnNewConnection, type Cluster } from '../test-support/cluster.js';
import { startFakeOpenAI, type FakeLlm } from '../test-support/fake-llm.js';
import { buildCliIfStale, killAllCli } from '../test-support/gatehouse-process.js';
import { eventually, issueToken, ticketFor } from '../test-support/live-gateway.js';
import { createTestPostgres, type TestPostgres } from '../test-support/postgres-server.js';
import { startPrivateRedis, type PrivateRedis } from '../test-support/private-redis.js';
import { createTestRedis, type TestRedis } from '../test-support/redis-server.js';
import { startTcpBalancer, type TcpBalancer } from '../test-support/tcp-balancer.js';
import { openSession, within } from '../test-support/ws-session.js';

/*
 * Three built gateways sharing the machine's Redis and PostgreSQL behind a round-robin TCP
 * balancer: what one instance decides (limits, pairing, idempotency, revocations, memory) holds
 * on every other. Each run uses its own Redis key prefix and database, removed afterwards.
 */

const LIMIT = 10;

describe('three instances sharing Redis and PostgreSQL', { timeout: 90_000 }, () => {
  let redis: TestRedis;
  let postgres: TestPostgres;
  let databaseUrl: string;
  let prefix: string;
  let llm: FakeLlm;
  let cluster: Cluster;
  let balancer: TcpBalancer;

  beforeAll(async () => {
    buildCliIfStale();
    redis = await createTestRedis();
    postgres = await createTestPostgres();
    databaseUrl = await postgres.createDatabase();
    prefix = redis.uniquePrefix();
    llm = await startFakeOpenAI();
    cluster = await startCluster({
      size: 3,
      redisUrl: redis.url,
      keyPrefix: prefix,
      postgresUrl: databaseUrl,
      llmBaseUrl: llm.baseUrl,
      gateway: ['trust_forwarded_headers = true', `webhook_rate_limit_per_minute = ${LIMIT}`],
    });
    balancer = await startTcpBalancer(
      cluster.gateways.map((gateway) => Number(new URL(gateway.url).port)),
    );
  }, 180_000);

  afterAll(async () => {
    await balancer?.close();
    await killAllCli();
    cluster?.cleanup();
    await llm?.close();
    await redis?.deleteKeys(prefix);
    await redis?.close();
    await postgres?.dropDatabase(databaseUrl);
    await postgres?.close();
  });

  /** A POST /webhook from client address `client` (X-Forwarded-For), on a new connection. */
  const webhook = (
    url: string,
    client: string,
    token: string,
    extra: Record<string, string> = {},
  ) =>
    sendOnNewConnection(`${url}/webhook`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': client, ...extra },
      body: { message: extra['x-message'] ?? 'hello' },
    });

  let pairedToken: string;

  it('every instance reports its id and the shared servers in /health', async () => {
    for (const [i, gateway] of cluster.gateways.entries()) {
      const health = await sendOnNewConnection(`${gateway.url}/health`);
      expect(health.status).toBe(200);
      expect(health.body.instance_id).toBe(`gw-${i + 1}`);
      const runtime = health.body.runtime as Record<string, { status: string }>;
      expect(runtime.redis?.status).toBe('ok');
      expect(runtime.postgres?.status).toBe('ok');
    }
  });

  it('prints one pairing code on every instance; pairing through any of them works on all', async () => {
    const codes = await Promise.all(cluster.gateways.map((gateway) => gateway.pairingCode()));
    expect(new Set(codes).size).toBe(1);
    const paired = await sendOnNewConnection(`${cluster.gateways[2]!.url}/pair`, {
      method: 'POST',
      headers: { 'x-pairing-code': codes[0]!, 'x-forwarded-for': '10.0.1.1' },
    });
    expect(paired.status).toBe(200);
    pairedToken = String(paired.body.token);
    for (const gateway of cluster.gateways) {
      expect((await webhook(gateway.url, '10.0.1.3', pairedToken)).status).toBe(200);
    }
    // The code was used up on every instance, not only on the one that paired.
    const reuse = await sendOnNewConnection(`${cluster.gateways[0]!.url}/pair`, {
      method: 'POST',
      headers: { 'x-pairing-code': codes[0]!, 'x-forwarded-for': '10.0.1.2' },
    });
    expect(reuse.status).toBe(403);
  });

  it(`a per-client limit of ${LIMIT}/min accepts exactly ${LIMIT} requests across the three`, async () => {
    const before = balancer.counts();
    const results = await Promise.all(
      Array.from({ length: LIMIT * 3 }, () => webhook(balancer.url, '10.0.1.4', pairedToken)),
    );
    const statuses = results.map((result) => result.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(LIMIT);
    expect(statuses.filter((status) => status === 429)).toHaveLength(LIMIT * 2);
    const spread = balancer.counts().map((count, i) => count - (before[i] ?? 0));
    expect(spread.every((count) => count >= LIMIT)).toBe(true);
  });

  it('replays an idempotency key on another instance without calling the agent again', async () => {
    const headers = { 'x-idempotency-key': 'cluster-idem-1', 'x-message': 'idempotent hello' };
    const first = await webhook(cluster.gateways[0]!.url, '10.0.1.5', pairedToken, headers);
    const second = await webhook(cluster.gateways[1]!.url, '10.0.1.5', pairedToken, headers);
    const third = await webhook(cluster.gateways[2]!.url, '10.0.1.5', pairedToken, headers);
    expect(first.status).toBe(200);
    expect(second.body.response).toBe(first.body.response);
    expect(third.body.response).toBe(first.body.response);
    const calls = llm.requests.filter((r) => JSON.stringify(r.body).includes('idempotent hello'));
    expect(calls).toHaveLength(1);
  });

  it('a retry that reaches another instance while the original still runs waits for it and replays its answer', async () => {
    llm.enqueue({ delayMs: 1500, text: 'slow original answer' });
    const headers = { 'x-idempotency-key': 'cluster-idem-slow', 'x-message': 'slow hello' };
    const original = webhook(cluster.gateways[0]!.url, '10.0.1.8', pairedToken, headers);
    await llm.waitForRequests(llm.requests.length + 1);
    const retry = await webhook(cluster.gateways[1]!.url, '10.0.1.8', pairedToken, headers);
    expect(retry.status).toBe(200);
    expect(retry.body.response).toBe('slow original answer');
    expect((await original).body.response).toBe('slow original answer');
    const calls = llm.requests.filter((r) => JSON.stringify(r.body).includes('slow hello'));
    expect(calls).toHaveLength(1);
  });

  it('keeps one conversation history when turns of one X-Session-Id alternate between instances', async () => {
    for (const [i, gateway] of cluster.gateways.entries()) {
      const turn = await webhook(gateway.url, '10.0.1.6', pairedToken, {
        'x-session-id': 'cluster-session',
        'x-message': `turn number ${i + 1}`,
      });
      expect(turn.status).toBe(200);
    }
    const last = llm.requests.at(-1)?.body as { messages: Array<{ content: unknown }> };
    const seen = JSON.stringify(last.messages);
    expect(seen).toContain('turn number 1');
    expect(seen).toContain('turn number 2');
    expect(seen).toContain('turn number 3');
  });

  it('`sessions list` on one instance shows the sessions of all with their instance; `sessions kill` on another closes it', async () => {
    const [gw1, gw2, gw3] = cluster.gateways as [
      (typeof cluster.gateways)[0],
      (typeof cluster.gateways)[0],
      (typeof cluster.gateways)[0],
    ];
    const jwt = await issueToken(gw1, 'channels:web', '24h', 'user:listed');
    const session = await openSession(
      `${gw2.wsUrl}/ws?ticket=${await ticketFor(gw2.url, jwt.token)}`,
    );
    const listed = await gw1.cli(['sessions', 'list']);
    expect(listed.code).toBe(0);
    const row = listed.stdout.split('\n').find((line) => line.startsWith(session.sessionId));
    expect(row?.split('\t').at(-1)).toBe('gw-2');
    expect(listed.stdout.split('\n')[0]).toContain('INSTANCE');

    const killed = await gw3.cli(['sessions', 'kill', session.sessionId]);
    expect(killed.code).toBe(0);
    const closed = await within(session.client.closed, 3000, 'the kill');
    expect(closed.code).toBe(4002);
    await eventually(
      async () => !(await gw1.cli(['sessions', 'list'])).stdout.includes(session.sessionId),
      'the killed session to leave the list',
    );
  });

  it('a JWT revoked on one instance closes its WebSocket session held by another within 2 s', async () => {
    const [gw1, gw2, gw3] = cluster.gateways as [
      (typeof cluster.gateways)[0],
      (typeof cluster.gateways)[0],
      (typeof cluster.gateways)[0],
    ];
    const jwt = await issueToken(gw1, 'channels:web');
    // Ticket issued by instance 1, redeemed on instance 2.
    const session = await openSession(
      `${gw2.wsUrl}/ws?ticket=${await ticketFor(gw1.url, jwt.token)}`,
    );
    const closedAt = session.client.closed.then((closed) => ({ ...closed, at: Date.now() }));
    const revoke = await gw3.cli(['token', 'revoke', jwt.jti]);
    const exitedAt = Date.now();
    expect(revoke.code).toBe(0);
    const closed = await within(closedAt, 5000, 'the 4001 close');
    expect(closed.code).toBe(4001);
    expect(closed.at - exitedAt).toBeLessThan(2000);
  });

  it('a paired token revoked with `tokens revoke` on one instance closes its sessions on another', async () => {
    const [gw1, , gw3] = cluster.gateways as [
      (typeof cluster.gateways)[0],
      (typeof cluster.gateways)[0],
      (typeof cluster.gateways)[0],
    ];
    const session = await openSession(
      `${gw1.wsUrl}/ws?ticket=${await ticketFor(gw3.url, pairedToken)}`,
    );
    const { createHash } = await import('node:crypto');
    const hash = createHash('sha256').update(pairedToken).digest('hex');
    const closedAt = session.client.closed.then((closed) => ({ ...closed, at: Date.now() }));
    const revoke = await gw3.cli(['tokens', 'revoke', hash.slice(0, 12)]);
    const exitedAt = Date.now();
    expect(revoke.code).toBe(0);
    const closed = await within(closedAt, 5000, 'the close of the revoked token');
    expect(closed.code).toBe(4001);
    expect(closed.at - exitedAt).toBeLessThan(2000);
    expect((await webhook(gw1.url, '10.0.1.7', pairedToken)).status).toBe(401);
  });
});

describe('a Redis outage', { timeout: 90_000 }, () => {
  let redis: PrivateRedis;
  let cluster: Cluster;

  beforeAll(async () => {
    buildCliIfStale();
    redis = await startPrivateRedis();
    cluster = await startCluster({
      size: 2,
      redisUrl: redis.url,
      keyPrefix: 'gatehouse-outage:',
      gateway: ['require_pairing = false', 'webhook_rate_limit_per_minute = 1000'],
    });
  }, 180_000);

  afterAll(async () => {
    await killAllCli();
    cluster?.cleanup();
    await redis?.stop();
  });

  const post = (url: string) =>
    sendOnNewConnection(`${url}/webhook`, { method: 'POST', body: { message: 'hi' } });

  it('answers 503 STATE_UNAVAILABLE while Redis is down and serves again after it returns, without a restart', async () => {
    for (const gateway of cluster.gateways) expect((await post(gateway.url)).status).toBe(200);

    await redis.stop();
    for (const gateway of cluster.gateways) {
      await eventually(async () => (await post(gateway.url)).status === 503, 'a 503', 5000);
      const refused = await post(gateway.url);
      expect(refused.body.code).toBe('STATE_UNAVAILABLE');
      const health = await sendOnNewConnection(`${gateway.url}/health`);
      expect(health.status).toBe(503);
      const runtime = health.body.runtime as Record<string, { status: string }>;
      expect(runtime.redis?.status).toBe('error');
    }

    await redis.start();
    for (const gateway of cluster.gateways) {
      await eventually(async () => (await post(gateway.url)).status === 200, 'recovery', 10_000);
      expect((await sendOnNewConnection(`${gateway.url}/health`)).status).toBe(200);
    }
  });
});
