import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { whatsappWebhook } from '../test-support/channel-payloads.js';
import {
  startChannelFakes,
  startChannelGateway,
  whatsappSection,
  type ChannelFakes,
  type ChannelGateway,
} from '../test-support/channel-gateway.js';
import type { RecordedRequest } from '../test-support/fake-api-server.js';
import { startPrivateRedis, type PrivateRedis } from '../test-support/private-redis.js';
import { createTestRedis, type TestRedis } from '../test-support/redis-server.js';

/*
 * The WhatsApp channel on `[inbox] backend = "redis"`: two in-process gateways share one queue in
 * the machine's Redis (own key prefix), and a Redis this test starts itself goes away and returns.
 */

const WAIT_MS = 15_000;
const ALICE = '15550000001';

let fakes: ChannelFakes;
let redis: TestRedis;
const gateways: ChannelGateway[] = [];

beforeAll(async () => {
  fakes = await startChannelFakes();
  redis = await createTestRedis();
});
afterAll(async () => {
  await fakes.close();
  await redis.close();
});
afterEach(async () => {
  for (const gateway of gateways.splice(0)) await gateway.cleanup();
});

async function gatewayOn(url: string, keyPrefix: string): Promise<ChannelGateway> {
  const gateway = await startChannelGateway({
    config: {
      state: { backend: 'redis', url, key_prefix: keyPrefix },
      inbox: { backend: 'redis', lease_secs: 2 },
      channels_config: { whatsapp: whatsappSection(fakes) },
    },
  });
  gateways.push(gateway);
  return gateway;
}

function message(id: string, text = `hello ${id}`): string {
  return JSON.stringify(whatsappWebhook([[{ from: ALICE, id, text }]]));
}

const repliesTo = (marker: string) => (request: RecordedRequest) =>
  request.rawBody.includes(marker);

describe('WhatsApp on the Redis inbox', { timeout: 60_000 }, () => {
  it('a message redelivered to another instance is a duplicate and gets one reply', async () => {
    const prefix = redis.uniquePrefix();
    const a = await gatewayOn(redis.url, prefix);
    const b = await gatewayOn(redis.url, prefix);
    const body = message('wamid.redis-dup');
    expect((await a.postWhatsApp(body)).json).toEqual({ status: 'ok', accepted: 1, duplicates: 0 });
    expect((await b.postWhatsApp(body)).json).toEqual({ status: 'ok', accepted: 0, duplicates: 1 });
    // A later message of the same conversation, sent through the other instance, is answered
    // after the first (one conversation in order): once it is, the first had its only reply.
    expect((await b.postWhatsApp(message('wamid.redis-after'))).status).toBe(200);
    await fakes.graph.waitForRequests(1, repliesTo('wamid.redis-after'), WAIT_MS);
    const replies = fakes.graph.requests.filter(repliesTo('wamid.redis-dup'));
    expect(replies).toHaveLength(1);
    await redis.deleteKeys(prefix);
  });

  describe('while its Redis is down', () => {
    let own: PrivateRedis;
    beforeAll(async () => {
      own = await startPrivateRedis();
    });
    afterAll(async () => {
      await own?.stop();
    });

    it('answers the webhook 503 so the platform retries, and accepts the retry once Redis is back', async () => {
      const gateway = await gatewayOn(own.url, 'gatehouse-inbox-outage:');
      await own.stop();
      const body = message('wamid.redis-outage');
      const refused = await gateway.postWhatsApp(body);
      expect(refused.status).toBe(503);
      expect(refused.json).toMatchObject({ code: 'STATE_UNAVAILABLE' });
      const health = await gateway.request('/health');
      expect(health.status).toBe(503);
      expect(health.json).toMatchObject({ runtime: { redis: { status: 'error' } } });

      await own.start();
      const deadline = Date.now() + 10_000;
      let retried = await gateway.postWhatsApp(body);
      while (retried.status !== 200 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        retried = await gateway.postWhatsApp(body);
      }
      expect(retried.json).toEqual({ status: 'ok', accepted: 1, duplicates: 0 });
      await fakes.graph.waitForRequests(1, repliesTo('wamid.redis-outage'), WAIT_MS);
    });
  });
});
