import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { telegramUpdate } from '../test-support/channel-payloads.js';
import {
  startChannelFakes,
  startChannelGateway,
  telegramSection,
  type ChannelFakes,
  type ChannelGateway,
} from '../test-support/channel-gateway.js';
import type { RecordedRequest } from '../test-support/fake-api-server.js';
import { createTestRedis, type TestRedis } from '../test-support/redis-server.js';

/*
 * Two in-process gateways polling one fake Bot API with the Redis inbox: the polling lease is
 * taken, every update is answered once, and the survivor polls on after the other stops.
 */

const WAIT_MS = 15_000;
const USER = 111_000_111;

let redis: TestRedis;
let fakes: ChannelFakes;
const gateways: ChannelGateway[] = [];
beforeAll(async () => {
  redis = await createTestRedis();
  fakes = await startChannelFakes();
});
afterAll(async () => {
  await fakes.close();
  await redis.close();
});
afterEach(async () => {
  for (const gateway of gateways.splice(0)) await gateway.cleanup();
});

const repliesTo = (marker: string) => (request: RecordedRequest) =>
  request.path.endsWith('/sendMessage') && request.rawBody.includes(marker);

describe('Telegram polling with the Redis inbox through two gateways', { timeout: 60_000 }, () => {
  it('answers each update once and keeps polling on the survivor', async () => {
    const prefix = redis.uniquePrefix();
    for (let i = 0; i < 2; i += 1) {
      gateways.push(
        await startChannelGateway({
          config: {
            state: { backend: 'redis', url: redis.url, key_prefix: prefix },
            inbox: { backend: 'redis', lease_secs: 1 },
            channels_config: {
              telegram: telegramSection(fakes, { mode: 'polling', secret_token: null }),
            },
          },
        }),
      );
    }
    fakes.telegram.pushUpdate(telegramUpdate({ updateId: 900, fromId: USER, text: 'leader one' }));
    await fakes.telegram.waitForRequests(1, repliesTo('leader one'), WAIT_MS);
    expect(await redis.keys(prefix)).toContain(`${prefix}inbox:leader:telegram`);

    await gateways[0]!.close();
    fakes.telegram.pushUpdate(telegramUpdate({ updateId: 901, fromId: USER, text: 'leader two' }));
    await fakes.telegram.waitForRequests(1, repliesTo('leader two'), WAIT_MS);
    expect(fakes.telegram.requests.filter(repliesTo('leader one'))).toHaveLength(1);
    expect(fakes.telegram.requests.filter(repliesTo('leader two'))).toHaveLength(1);
    await redis.deleteKeys(prefix);
  });
});
