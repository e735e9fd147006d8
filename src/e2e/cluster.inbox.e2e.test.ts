import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signMeta, whatsappWebhook } from '../test-support/channel-payloads.js';
import { startCluster, sendOnNewConnection, type Cluster } from '../test-support/cluster.js';
import { startFakeGraphApi, type FakeGraphApi } from '../test-support/fake-graph-api.js';
import { startFakeOpenAI, type FakeLlm } from '../test-support/fake-llm.js';
import { buildCliIfStale, killAllCli } from '../test-support/gatehouse-process.js';
import { eventually } from '../test-support/live-gateway.js';
import { createTestRedis, type TestRedis } from '../test-support/redis-server.js';

/*
 * Three built gateways sharing one inbox in the machine's Redis (own key prefix), WhatsApp
 * replies going to a fake Graph API: a redelivery to another instance is answered once, and the
 * messages held by an instance killed with SIGKILL are answered, once, by the others.
 */

const APP_SECRET = 'cluster-wa-app-secret';
const ACCESS_TOKEN = 'cluster-wa-access-token';
const LEASE_SECS = 2;

describe('three instances sharing the Redis inbox', { timeout: 120_000 }, () => {
  let redis: TestRedis;
  let prefix: string;
  let graph: FakeGraphApi;
  let llm: FakeLlm;
  let cluster: Cluster;

  beforeAll(async () => {
    buildCliIfStale();
    redis = await createTestRedis();
    prefix = redis.uniquePrefix();
    graph = await startFakeGraphApi({ accessToken: ACCESS_TOKEN });
    // Slow answers, so an instance is killed while it holds claimed items.
    llm = await startFakeOpenAI({ defaultScript: { delayMs: 2500 } });
    cluster = await startCluster({
      size: 3,
      redisUrl: redis.url,
      keyPrefix: prefix,
      llmBaseUrl: llm.baseUrl,
      // A dead instance's idempotency in-flight markers (request timeout + 5 s) hold its messages
      // back after the lease as well; a short timeout keeps the takeover quick.
      gateway: ['request_timeout_secs = 5'],
      sections: [
        '[inbox]',
        'backend = "redis"',
        `lease_secs = ${LEASE_SECS}`,
        'retry_base_ms = 100',
        '[channels_config.whatsapp]',
        `access_token = "${ACCESS_TOKEN}"`,
        'phone_number_id = "123456789"',
        `app_secret = "${APP_SECRET}"`,
        'verify_token = "cluster-verify"',
        'allowed_numbers = ["*"]',
        `api_base_url = "${graph.url}"`,
      ],
    });
  }, 180_000);

  afterAll(async () => {
    await killAllCli();
    cluster?.cleanup();
    await llm?.close();
    await graph?.close();
    await redis?.deleteKeys(prefix);
    await redis?.close();
  });

  /** POSTs a signed WhatsApp webhook with one text message to `url`. */
  const postMessage = (url: string, from: string, id: string) => {
    const body = whatsappWebhook([[{ from, id, text: `message ${id}` }]]);
    return sendOnNewConnection(`${url}/whatsapp`, {
      method: 'POST',
      headers: { 'x-hub-signature-256': signMeta(JSON.stringify(body), APP_SECRET) },
      body,
    });
  };
  const repliesTo = (number: string) => graph.sent().filter((sent) => sent.to === number).length;

  it('a WhatsApp message redelivered to another instance gets one reply', async () => {
    const [gw1, gw2] = cluster.gateways;
    const first = await postMessage(gw1!.url, '15550000100', 'wamid.cluster-redelivered');
    expect(first.body).toEqual({ status: 'ok', accepted: 1, duplicates: 0 });
    const again = await postMessage(gw2!.url, '15550000100', 'wamid.cluster-redelivered');
    expect(again.body).toEqual({ status: 'ok', accepted: 0, duplicates: 1 });
    await eventually(async () => repliesTo('15550000100') === 1, 'the reply', 20_000);
    // A later message of the same conversation is answered after it: no second reply came.
    await postMessage(gw2!.url, '15550000100', 'wamid.cluster-after');
    await eventually(async () => repliesTo('15550000100') === 2, 'the next reply', 20_000);
    expect(graph.sent().filter((sent) => sent.body.includes('cluster-redelivered'))).toHaveLength(
      1,
    );
  });

  it('one instance killed with SIGKILL while holding inbox items: every accepted message is answered exactly once', async () => {
    const victim = cluster.gateways[2]!;
    const senders = Array.from({ length: 10 }, (_, i) => `1555000020${i}`);
    const before = llm.requests.length;
    // Sent to the victim: its local wake-up claims them first; the others find the rest by polling.
    for (const [i, from] of senders.entries()) {
      const answer = await postMessage(victim.url, from, `wamid.cluster-kill-${i}`);
      expect(answer.body).toMatchObject({ accepted: 1 });
    }
    await eventually(async () => llm.requests.length - before >= 4, 'claims in flight', 10_000);
    victim.process.child.kill('SIGKILL');
    await victim.process.exited.catch(() => undefined);

    await eventually(
      async () => senders.every((from) => repliesTo(from) >= 1),
      'every message answered',
      60_000,
    );
    // Past another lease, nothing is answered twice.
    await new Promise((resolve) => setTimeout(resolve, LEASE_SECS * 1000 + 1500));
    expect(senders.map(repliesTo)).toEqual(senders.map(() => 1));
    // The victim did hold items: the agent was asked again for those it never answered.
    expect(llm.requests.length - before).toBeGreaterThan(senders.length);
    const counts = await cluster.gateways[0]!.cli(['inbox', '--json']);
    expect(JSON.parse(counts.stdout)).toMatchObject({ pending: 0, processing: 0, dead: 0 });
  });
});
