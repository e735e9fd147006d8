import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { telegramUpdate } from '../test-support/channel-payloads.js';
import {
  CHANNEL_SECRETS,
  startChannelFakes,
  startChannelGateway,
  telegramSection,
  type ChannelFakes,
  type ChannelGateway,
} from '../test-support/channel-gateway.js';
import type { RecordedRequest } from '../test-support/fake-api-server.js';

const WAIT_MS = 15_000;
const USER = 111_000_111;
const STRANGER = 222_000_222;

let fakes: ChannelFakes;
const gateways: ChannelGateway[] = [];
let nextUpdateId = 1000;

beforeAll(async () => {
  fakes = await startChannelFakes();
});
afterAll(async () => {
  await fakes.close();
});
afterEach(async () => {
  for (const gateway of gateways.splice(0)) await gateway.cleanup();
});

async function gatewayWith(overrides: Record<string, unknown> = {}) {
  const gateway = await startChannelGateway({
    config: { channels_config: { telegram: telegramSection(fakes, overrides) } },
  });
  gateways.push(gateway);
  return gateway;
}

/** An update with a fresh update_id; `marker` is put in the text. */
function update(marker: string, fromId = USER, extra: { username?: string; text?: string } = {}) {
  nextUpdateId += 1;
  return telegramUpdate({
    updateId: nextUpdateId,
    fromId,
    text: extra.text ?? `hello ${marker}`,
    username: extra.username,
  });
}

const repliesTo = (marker: string) => (request: RecordedRequest) =>
  request.path.endsWith('/sendMessage') && request.rawBody.includes(marker);

const sentText = (request: RecordedRequest): string =>
  String((request.body as { text?: unknown } | undefined)?.text ?? '');

/** Waits for the reply to a fresh message in the same chat: everything before it is done. */
async function barrier(gateway: ChannelGateway, fromId = USER): Promise<void> {
  const marker = `barrier${Math.random().toString(36).slice(2)}`;
  const answer = await gateway.postTelegram(JSON.stringify(update(marker, fromId)));
  expect(answer.status).toBe(200);
  await fakes.telegram.waitForRequests(1, repliesTo(marker), WAIT_MS);
}

describe('Telegram webhook mode through the gateway: secret header', () => {
  it('accepts the secret header and answers with sendMessage replying to the message', async () => {
    const gateway = await gatewayWith();
    const incoming = telegramUpdate({ updateId: 7001, fromId: USER, text: 'hi tg', messageId: 42 });
    const answer = await gateway.postTelegram(JSON.stringify(incoming));
    expect(answer).toMatchObject({ status: 200, json: { status: 'ok', accepted: 1 } });
    const [sent] = await fakes.telegram.waitForRequests(1, repliesTo('echo: hi tg'), WAIT_MS);
    expect(sent?.path).toBe(`/bot${CHANNEL_SECRETS.telegramBotToken}/sendMessage`);
    expect(sent?.body).toEqual({
      chat_id: USER,
      text: 'echo: hi tg',
      reply_parameters: { message_id: 42, allow_sending_without_reply: true },
      parse_mode: 'HTML',
    });
  });

  const token = CHANNEL_SECRETS.telegramSecretToken;
  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['a wrong token', 'not-the-token-at-all'],
    ['the token in another case', token.toUpperCase()],
    ['a prefix of the token', token.slice(0, -1)],
    ['the token with a character appended', `${token}x`],
  ])('refuses %s with 403 and enqueues nothing', async (label, header) => {
    const gateway = await gatewayWith();
    const marker = `refused-${label.replace(/\W+/g, '-')}`;
    const answer = await gateway.request('/telegram', {
      body: JSON.stringify(update(marker)),
      headers: {
        'content-type': 'application/json',
        ...(header === undefined ? {} : { 'x-telegram-bot-api-secret-token': header }),
      },
    });
    expect(answer.status).toBe(403);
    expect(answer.json).toMatchObject({ code: 'CHANNEL_SECRET_INVALID' });
    await barrier(gateway);
    expect(fakes.telegram.requests.filter(repliesTo(marker))).toHaveLength(0);
  });

  it('refuses every update with 403 when no secret_token is configured', async () => {
    const gateway = await gatewayWith({ secret_token: null });
    expect((await gateway.postTelegram(JSON.stringify(update('nosecret')), '')).status).toBe(403);
    expect((await gateway.postTelegram(JSON.stringify(update('nosecret')))).status).toBe(403);
  });

  it('answers 400 to an authenticated body that is not JSON', async () => {
    const gateway = await gatewayWith();
    expect((await gateway.postTelegram('{"update_id":')).status).toBe(400);
  });
});

describe('Telegram webhook mode through the gateway: allowlist and dedup', () => {
  it('allows by numeric from.id, never by username', async () => {
    const gateway = await gatewayWith({ allowed_users: [USER] });
    const impostor = update('impostor', STRANGER, { username: String(USER) });
    const answer = await gateway.postTelegram(JSON.stringify(impostor));
    expect(answer).toMatchObject({ status: 200, json: { accepted: 0 } });
    expect(await gateway.channelMessages('telegram', 'dropped')).toBe(1);
    await barrier(gateway, USER);
    expect(fakes.telegram.requests.filter(repliesTo('impostor'))).toHaveLength(0);
  });

  it('answers nobody with an empty allowlist', async () => {
    const gateway = await gatewayWith({ allowed_users: [] });
    const answer = await gateway.postTelegram(JSON.stringify(update('nobody')));
    expect(answer).toMatchObject({ status: 200, json: { accepted: 0 } });
    expect(await gateway.channelMessages('telegram', 'dropped')).toBe(1);
  });

  it('answers an update delivered twice, and again after a restart, exactly once', async () => {
    const gateway = await gatewayWith();
    const body = JSON.stringify(update('tg-dup'));
    expect((await gateway.postTelegram(body)).json).toMatchObject({ accepted: 1 });
    await fakes.telegram.waitForRequests(1, repliesTo('tg-dup'), WAIT_MS);
    expect((await gateway.postTelegram(body)).json).toMatchObject({ duplicates: 1 });
    await gateway.restart();
    expect((await gateway.postTelegram(body)).json).toMatchObject({ accepted: 0, duplicates: 1 });
    await barrier(gateway);
    expect(fakes.telegram.requests.filter(repliesTo('tg-dup'))).toHaveLength(1);
  });
});

describe('Telegram webhook mode through the gateway: delivery', () => {
  it('splits a reply longer than 4096 characters, each part replying to the message', async () => {
    const gateway = await gatewayWith();
    const long = `long:${'z'.repeat(5000)}`;
    await gateway.postTelegram(JSON.stringify(update('long', USER, { text: long })));
    const parts = await fakes.telegram.waitForRequests(2, repliesTo('zzzzzzzz'), WAIT_MS);
    expect(parts.map((part) => sentText(part).length)).toEqual([4096, 5011 - 4096]);
    expect(parts.map(sentText).join('')).toBe(`echo: ${long}`);
    const replyTo = parts.map(
      (p) => (p.body as { reply_parameters: { message_id: number } }).reply_parameters.message_id,
    );
    expect(new Set(replyTo).size).toBe(1);
  });

  it('retries after a 429 with retry_after and sends the reply exactly once', async () => {
    const gateway = await gatewayWith();
    fakes.telegram.failNext(1, { status: 429, retryAfterSecs: 1 }, 'sendMessage');
    await gateway.postTelegram(JSON.stringify(update('tg-limited')));
    await fakes.telegram.waitForRequests(2, repliesTo('tg-limited'), WAIT_MS);
    await barrier(gateway);
    expect(fakes.telegram.requests.filter(repliesTo('tg-limited'))).toHaveLength(2);
  });

  it('retries after a 500 and sends the reply exactly once', async () => {
    const gateway = await gatewayWith();
    fakes.telegram.failNext(1, { status: 500 }, 'sendMessage');
    await gateway.postTelegram(JSON.stringify(update('tg-flaky')));
    await fakes.telegram.waitForRequests(2, repliesTo('tg-flaky'), WAIT_MS);
    await barrier(gateway);
    expect(fakes.telegram.requests.filter(repliesTo('tg-flaky'))).toHaveLength(2);
  });
});
