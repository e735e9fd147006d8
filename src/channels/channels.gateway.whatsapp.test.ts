import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../config/config-error.js';
import { whatsappWebhook } from '../test-support/channel-payloads.js';
import {
  CHANNEL_SECRETS,
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

async function gatewayWith(overrides: Record<string, unknown> = {}, env = {}) {
  const gateway = await startChannelGateway({
    config: { channels_config: { whatsapp: whatsappSection(fakes, overrides) } },
    env,
  });
  gateways.push(gateway);
  return gateway;
}

/** One text message from `from` in a webhook; the message id doubles as a unique text. */
function message(id: string, from = ALICE, text = `hello ${id}`): string {
  return JSON.stringify(whatsappWebhook([[{ from, id, text }]]));
}

/** Replies at the fake whose body mentions `marker`. */
const repliesTo = (marker: string) => (request: RecordedRequest) =>
  request.rawBody.includes(marker);

/**
 * Sends a fresh message from the same sender and waits for its reply: the inbox keeps
 * per-conversation order, so anything that was queued before it has been answered by then.
 */
async function barrier(gateway: ChannelGateway, from = ALICE): Promise<void> {
  const id = `wamid.barrier.${Math.random().toString(36).slice(2)}`;
  expect((await gateway.postWhatsApp(message(id, from))).status).toBe(200);
  await fakes.graph.waitForRequests(1, repliesTo(id), WAIT_MS);
}

describe('WhatsApp through the gateway: signature', () => {
  it('accepts a correctly signed message, acknowledges it and replies through the Graph API', async () => {
    const gateway = await gatewayWith();
    const body = message('wamid.sig-ok');
    const answer = await gateway.postWhatsApp(body);
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ status: 'ok', accepted: 1, duplicates: 0 });
    const [sent] = await fakes.graph.waitForRequests(1, repliesTo('wamid.sig-ok'), WAIT_MS);
    expect(sent?.path).toBe(`/v21.0/${CHANNEL_SECRETS.whatsappPhoneNumberId}/messages`);
    expect(sent?.headers.authorization).toBe(`Bearer ${CHANNEL_SECRETS.whatsappAccessToken}`);
    expect(sent?.headers['content-type']).toMatch(/^application\/json/);
    // The exact wire shape of a Cloud API text message.
    expect(sent?.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: ALICE,
      type: 'text',
      text: { preview_url: false, body: 'echo: hello wamid.sig-ok' },
    });
  });

  const hex = (body: string, secret: string = CHANNEL_SECRETS.whatsappAppSecret) =>
    createHmac('sha256', secret).update(body).digest('hex');
  const refusals: Array<[string, (body: string) => string | undefined]> = [
    ['a missing header', () => undefined],
    ['an empty header', () => ''],
    ['a signature made with another secret', (body) => `sha256=${hex(body, 'not-the-secret')}`],
    ['the wrong-case prefix SHA256=', (body) => `SHA256=${hex(body)}`],
    ['another algorithm prefix', (body) => `sha1=${hex(body)}`],
    ['no prefix', (body) => hex(body)],
    ['a digest one hex digit short', (body) => `sha256=${hex(body).slice(1)}`],
    ['a digest one hex digit long', (body) => `sha256=${hex(body)}0`],
    ['a non-hex digest of the right length', () => `sha256=${'z'.repeat(64)}`],
    ['a signature over the body with a byte appended', (body) => `sha256=${hex(`${body} `)}`],
  ];
  it.each(refusals)('refuses %s with 401 and enqueues nothing', async (label, sign) => {
    const gateway = await gatewayWith();
    const id = `wamid.refused.${label.replace(/\W+/g, '-')}`;
    const body = message(id);
    const signature = sign(body);
    const answer = await gateway.request('/whatsapp', {
      body,
      headers: {
        'content-type': 'application/json',
        ...(signature === undefined ? {} : { 'x-hub-signature-256': signature }),
      },
    });
    expect(answer.status).toBe(401);
    expect(answer.json).toMatchObject({ code: 'SIGNATURE_INVALID' });
    await barrier(gateway);
    expect(fakes.graph.requests.filter(repliesTo(id))).toHaveLength(0);
  });

  it('refuses a signature computed over the same JSON re-serialized with other whitespace', async () => {
    const gateway = await gatewayWith();
    const payload = whatsappWebhook([[{ from: ALICE, id: 'wamid.reserialized', text: 'hi' }]]);
    const sent = JSON.stringify(payload, null, 2);
    const signedOver = JSON.stringify(payload);
    expect(JSON.parse(sent)).toEqual(JSON.parse(signedOver));
    const answer = await gateway.request('/whatsapp', {
      body: sent,
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': `sha256=${hex(signedOver)}`,
      },
    });
    expect(answer.status).toBe(401);
  });

  it('refuses every POST with 401 when no app secret is configured (fail closed)', async () => {
    // An empty environment variable does not count as a secret either.
    const gateway = await gatewayWith({ app_secret: null }, { GATEHOUSE_WHATSAPP_APP_SECRET: '' });
    const body = message('wamid.no-secret');
    expect((await gateway.postWhatsApp(body, '')).status).toBe(401);
    expect((await gateway.postWhatsApp(body, CHANNEL_SECRETS.whatsappAppSecret)).status).toBe(401);
  });

  it('refuses to start with an empty app secret in the config, naming the key', async () => {
    await expect(gatewayWith({ app_secret: '' })).rejects.toSatisfy(
      (error: unknown) => error instanceof ConfigError && error.message.includes('app_secret'),
    );
  });

  it('answers 400 to a correctly signed body that is not JSON', async () => {
    const gateway = await gatewayWith();
    const answer = await gateway.postWhatsApp('{"entry": [');
    expect(answer.status).toBe(400);
  });
});

describe('WhatsApp through the gateway: GET handshake', () => {
  const query = (params: Record<string, string>) =>
    `/whatsapp?${new URLSearchParams(params).toString()}`;

  it('echoes hub.challenge as text/plain for subscribe with the verify token', async () => {
    const gateway = await gatewayWith();
    const answer = await gateway.request(
      query({
        'hub.mode': 'subscribe',
        'hub.verify_token': CHANNEL_SECRETS.whatsappVerifyToken,
        'hub.challenge': '1158201444',
      }),
    );
    expect(answer).toMatchObject({ status: 200, text: '1158201444' });
    expect(answer.contentType).toMatch(/^text\/plain/);
  });

  it.each([
    ['a wrong verify token', { 'hub.mode': 'subscribe', 'hub.verify_token': 'guess' }],
    ['another mode', { 'hub.mode': 'unsubscribe', 'hub.verify_token': 'wa-verify-token' }],
    ['no verify token', { 'hub.mode': 'subscribe' }],
  ])('answers 403 with a JSON error body for %s', async (_label, params) => {
    const gateway = await gatewayWith();
    const answer = await gateway.request(query({ ...params, 'hub.challenge': 'c' }));
    expect(answer.status).toBe(403);
    expect(answer.contentType).toMatch(/^application\/json/);
    expect(JSON.parse(answer.text)).toEqual({
      error: 'Webhook verification failed: wrong hub.mode or hub.verify_token',
      code: 'WEBHOOK_VERIFICATION_FAILED',
    });
  });

  it('answers 400 with a JSON error body to a challenge it will not echo', async () => {
    const gateway = await gatewayWith();
    const answer = await gateway.request(
      query({
        'hub.mode': 'subscribe',
        'hub.verify_token': CHANNEL_SECRETS.whatsappVerifyToken,
        'hub.challenge': '<script>',
      }),
    );
    expect(answer.status).toBe(400);
    expect(answer.contentType).toMatch(/^application\/json/);
    expect(answer.text).not.toContain('<script>');
    expect(JSON.parse(answer.text)).toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('answers 403 when no verify token is configured, even to an empty token', async () => {
    const gateway = await gatewayWith({ verify_token: null });
    const answer = await gateway.request(
      query({ 'hub.mode': 'subscribe', 'hub.verify_token': '', 'hub.challenge': 'c' }),
    );
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.text)).toMatchObject({ code: 'WEBHOOK_VERIFICATION_FAILED' });
  });

  it('answers 404 on GET and POST /whatsapp when the channel is not configured', async () => {
    const gateway = await startChannelGateway({ config: {} });
    gateways.push(gateway);
    const get = await gateway.request(
      query({ 'hub.mode': 'subscribe', 'hub.verify_token': 'x', 'hub.challenge': 'c' }),
    );
    expect(get.status).toBe(404);
    expect((await gateway.postWhatsApp(message('wamid.unconfigured'))).status).toBe(404);
  });
});

describe('WhatsApp through the gateway: allowlist', () => {
  it('acknowledges a sender outside allowed_numbers, never answers, and counts the drop', async () => {
    const gateway = await gatewayWith({ allowed_numbers: [`+${ALICE}`] });
    const answer = await gateway.postWhatsApp(message('wamid.stranger', BOB));
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ status: 'ok', accepted: 0, duplicates: 0 });
    expect(await gateway.channelMessages('whatsapp', 'dropped')).toBe(1);
    await barrier(gateway, ALICE);
    expect(fakes.graph.requests.filter(repliesTo('wamid.stranger'))).toHaveLength(0);
    expect(await gateway.channelMessages('whatsapp', 'inbound')).toBe(1);
  });

  it('answers everybody with ["*"]', async () => {
    const gateway = await gatewayWith({ allowed_numbers: ['*'] });
    await barrier(gateway, BOB);
    await barrier(gateway, '4915123456789');
  });

  it('answers nobody with an empty allowlist', async () => {
    const gateway = await gatewayWith({ allowed_numbers: [] });
    const answer = await gateway.postWhatsApp(message('wamid.nobody'));
    expect(answer.json).toEqual({ status: 'ok', accepted: 0, duplicates: 0 });
    expect(await gateway.channelMessages('whatsapp', 'dropped')).toBe(1);
  });
});
