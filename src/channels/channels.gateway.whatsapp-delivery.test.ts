import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FAILURE_REPLY } from '../inbox/process-item.js';
import { whatsappWebhook } from '../test-support/channel-payloads.js';
import {
  startChannelFakes,
  startChannelGateway,
  whatsappSection,
  type ChannelFakes,
  type ChannelGateway,
} from '../test-support/channel-gateway.js';
import type { RecordedRequest } from '../test-support/fake-api-server.js';

const WAIT_MS = 15_000;
const ALICE = '15550000001';
const BOB = '15550000002';

let fakes: ChannelFakes;
const gateways: ChannelGateway[] = [];

beforeAll(async () => {
  fakes = await startChannelFakes();
});
afterAll(async () => {
  await fakes.close();
});
afterEach(async () => {
  for (const gateway of gateways.splice(0)) await gateway.cleanup();
});

async function gatewayWith(inbox: Record<string, unknown> = {}) {
  const gateway = await startChannelGateway({
    config: { channels_config: { whatsapp: whatsappSection(fakes) }, inbox },
  });
  gateways.push(gateway);
  return gateway;
}

function message(id: string, from = ALICE, text = `hello ${id}`): string {
  return JSON.stringify(whatsappWebhook([[{ from, id, text }]]));
}

const repliesTo = (marker: string) => (request: RecordedRequest) =>
  request.rawBody.includes(marker);

const replyText = (request: RecordedRequest): string => {
  const body = request.body as { text?: { body?: string } } | undefined;
  return body?.text?.body ?? '';
};

/** Waits for the reply to a fresh message from `from`: everything queued before it is done. */
async function barrier(gateway: ChannelGateway, from = ALICE): Promise<void> {
  const id = `wamid.barrier.${Math.random().toString(36).slice(2)}`;
  expect((await gateway.postWhatsApp(message(id, from))).status).toBe(200);
  await fakes.graph.waitForRequests(1, repliesTo(id), WAIT_MS);
}

describe('WhatsApp through the gateway: dedup', () => {
  it('answers an event delivered twice, and again after a restart, exactly once', async () => {
    const gateway = await gatewayWith();
    const body = message('wamid.dup');
    expect((await gateway.postWhatsApp(body)).json).toEqual({
      status: 'ok',
      accepted: 1,
      duplicates: 0,
    });
    await fakes.graph.waitForRequests(1, repliesTo('wamid.dup'), WAIT_MS);
    expect((await gateway.postWhatsApp(body)).json).toEqual({
      status: 'ok',
      accepted: 0,
      duplicates: 1,
    });
    expect(await gateway.channelMessages('whatsapp', 'duplicate')).toBe(1);

    await gateway.restart();
    const again = await gateway.postWhatsApp(body);
    expect(again.status).toBe(200);
    expect(again.json).toEqual({ status: 'ok', accepted: 0, duplicates: 1 });
    await barrier(gateway);
    expect(fakes.graph.requests.filter(repliesTo('wamid.dup'))).toHaveLength(1);
  });

  it('answers a redelivery that arrives while the first copy is still queued only once', async () => {
    const gateway = await gatewayWith();
    const body = message('wamid.racing');
    const answers = await Promise.all([gateway.postWhatsApp(body), gateway.postWhatsApp(body)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    const accepted = answers.map((a) => (a.json as { accepted: number }).accepted);
    expect(accepted.sort()).toEqual([0, 1]);
    await barrier(gateway);
    expect(fakes.graph.requests.filter(repliesTo('wamid.racing'))).toHaveLength(1);
  });
});

describe('WhatsApp through the gateway: payloads and replies', () => {
  it('answers every message of a multi-entry payload, in per-conversation order', async () => {
    const gateway = await gatewayWith();
    const payload = whatsappWebhook([
      [
        { from: ALICE, id: 'wamid.multi.a1', text: 'multi a1' },
        { from: BOB, id: 'wamid.multi.b1', text: 'multi b1' },
      ],
      [
        { from: ALICE, id: 'wamid.multi.a2', text: 'multi a2' },
        { from: BOB, id: 'wamid.multi.b2', text: 'multi b2' },
      ],
    ]);
    const answer = await gateway.postWhatsApp(JSON.stringify(payload));
    // Both entries also carry a delivery status, which is acknowledged and ignored.
    expect(answer.json).toEqual({ status: 'ok', accepted: 4, duplicates: 0 });
    const sent = await fakes.graph.waitForRequests(4, repliesTo('multi '), WAIT_MS);
    const to = (recipient: string) =>
      sent.filter((request) => (request.body as { to?: string }).to === recipient).map(replyText);
    expect(to(ALICE)).toEqual(['echo: multi a1', 'echo: multi a2']);
    expect(to(BOB)).toEqual(['echo: multi b1', 'echo: multi b2']);
    await barrier(gateway);
    expect(fakes.graph.requests.filter(repliesTo('multi '))).toHaveLength(4);
  });

  it('splits a reply longer than 4096 characters into ordered parts', async () => {
    const gateway = await gatewayWith();
    const long = `long:${'x'.repeat(5000)}`;
    const answer = await gateway.postWhatsApp(message('wamid.long', ALICE, long));
    expect(answer.status).toBe(200);
    const parts = await fakes.graph.waitForRequests(2, repliesTo('xxxxxxxx'), WAIT_MS);
    expect(parts.map((part) => replyText(part).length)).toEqual([4096, 5011 - 4096]);
    expect(parts.map(replyText).join('')).toBe(`echo: ${long}`);
  });
});

describe('WhatsApp through the gateway: delivery retries', () => {
  it('retries after a 429 with Retry-After and delivers the reply exactly once', async () => {
    const gateway = await gatewayWith();
    fakes.graph.failNext(1, { status: 429, retryAfterSecs: 1 });
    await gateway.postWhatsApp(message('wamid.ratelimited'));
    const attempts = await fakes.graph.waitForRequests(2, repliesTo('wamid.ratelimited'), WAIT_MS);
    expect(attempts.map(replyText)).toEqual([
      'echo: hello wamid.ratelimited',
      'echo: hello wamid.ratelimited',
    ]);
    await barrier(gateway);
    // One refused with 429, one accepted: the user saw the reply once.
    expect(fakes.graph.requests.filter(repliesTo('wamid.ratelimited'))).toHaveLength(2);
    expect(await gateway.channelMessages('whatsapp', 'outbound')).toBe(2);
  });

  it('retries after a 500 and delivers the reply exactly once', async () => {
    const gateway = await gatewayWith();
    fakes.graph.failNext(1, { status: 500 });
    await gateway.postWhatsApp(message('wamid.flaky'));
    await fakes.graph.waitForRequests(2, repliesTo('wamid.flaky'), WAIT_MS);
    await barrier(gateway);
    expect(fakes.graph.requests.filter(repliesTo('wamid.flaky'))).toHaveLength(2);
  });

  it('gives up after max_attempts, counts the failure and attempts an error reply', async () => {
    const gateway = await gatewayWith({ max_attempts: 2 });
    fakes.graph.failNext(2, { status: 500 });
    const before = fakes.graph.requests.length;
    await gateway.postWhatsApp(message('wamid.doomed'));
    await fakes.graph.waitForRequests(before + 3, undefined, WAIT_MS);
    const attempts = fakes.graph.requests.slice(before).map(replyText);
    expect(attempts).toEqual([
      'echo: hello wamid.doomed',
      'echo: hello wamid.doomed',
      FAILURE_REPLY,
    ]);
    await expect
      .poll(() => gateway.channelMessages('whatsapp', 'failed'), { timeout: WAIT_MS })
      .toBe(1);
  });
});
