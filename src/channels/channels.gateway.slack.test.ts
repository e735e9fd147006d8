import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FAILURE_REPLY } from '../inbox/process-item.js';
import { slackEventCallback } from '../test-support/channel-payloads.js';
import {
  CHANNEL_SECRETS,
  slackSection,
  startChannelFakes,
  startChannelGateway,
  type ChannelFakes,
  type ChannelGateway,
} from '../test-support/channel-gateway.js';
import type { RecordedRequest } from '../test-support/fake-api-server.js';

const WAIT_MS = 15_000;
const DM = 'D0001';

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

async function gatewayWith(overrides: Record<string, unknown> = {}, inbox = {}) {
  const gateway = await startChannelGateway({
    config: { channels_config: { slack: slackSection(fakes, overrides) }, inbox },
  });
  gateways.push(gateway);
  return gateway;
}

/** A DM event; the event id doubles as a unique marker in the text. */
function dm(eventId: string, user = 'U0USER1', text = `hello ${eventId}`): string {
  return JSON.stringify(slackEventCallback({ eventId, user, text, channel: DM }));
}

const repliesTo = (marker: string) => (request: RecordedRequest) =>
  request.rawBody.includes(marker);

const postedText = (request: RecordedRequest): string =>
  String((request.body as { text?: unknown } | undefined)?.text ?? '');

/** Waits for the reply to a fresh DM in the same conversation: everything before it is done. */
async function barrier(gateway: ChannelGateway, user = 'U0USER1'): Promise<void> {
  const id = `EvBarrier${Math.random().toString(36).slice(2)}`;
  expect((await gateway.postSlack(dm(id, user))).status).toBe(200);
  await fakes.slack.waitForRequests(1, repliesTo(id), WAIT_MS);
}

const now = () => Math.floor(Date.now() / 1000);
const sign = (body: string, ts: string, secret: string = CHANNEL_SECRETS.slackSigningSecret) =>
  createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex');

describe('Slack through the gateway: signature', () => {
  it('accepts a signed DM and answers with chat.postMessage in its thread', async () => {
    const gateway = await gatewayWith();
    const body = JSON.stringify(
      slackEventCallback({ eventId: 'EvOk', user: 'U0USER1', text: 'hi', ts: '1700000001.000200' }),
    );
    const answer = await gateway.postSlack(body);
    expect(answer).toMatchObject({ status: 200, json: { status: 'ok', accepted: 1 } });
    const [posted] = await fakes.slack.waitForRequests(1, repliesTo('echo: hi'), WAIT_MS);
    expect(posted?.path).toBe('/chat.postMessage');
    expect(posted?.headers.authorization).toBe(`Bearer ${CHANNEL_SECRETS.slackBotToken}`);
    // The part id rides along as message metadata, so a crash-interrupted send can be found again.
    expect(posted?.body).toEqual({
      channel: DM,
      text: 'echo: hi',
      thread_ts: '1700000001.000200',
      metadata: { event_type: 'gatehouse_reply', event_payload: { id: 'slack:EvOk:0' } },
    });
  });

  it('answers an app_mention in the channel thread, without the mention', async () => {
    const gateway = await gatewayWith();
    const body = JSON.stringify(
      slackEventCallback({
        eventId: 'EvMention',
        type: 'app_mention',
        user: 'U0USER1',
        text: '<@UBOT> mention please',
        channel: 'C0PUBLIC',
        ts: '1700000002.000300',
        threadTs: '1700000000.000001',
      }),
    );
    expect((await gateway.postSlack(body)).status).toBe(200);
    const [posted] = await fakes.slack.waitForRequests(1, repliesTo('mention please'), WAIT_MS);
    expect(posted?.body).toEqual({
      channel: 'C0PUBLIC',
      text: 'echo: mention please',
      thread_ts: '1700000000.000001',
      metadata: { event_type: 'gatehouse_reply', event_payload: { id: 'slack:EvMention:0' } },
    });
  });

  const refusals: Array<[string, (body: string) => Record<string, string>]> = [
    ['no headers', () => ({})],
    ['no signature', () => ({ 'x-slack-request-timestamp': String(now()) })],
    ['no timestamp', (body) => ({ 'x-slack-signature': `v0=${sign(body, String(now()))}` })],
    ['another secret', (body) => signed(body, now(), (ts) => `v0=${sign(body, ts, 'nope')}`)],
    ['the wrong-case prefix V0=', (body) => signed(body, now(), (ts) => `V0=${sign(body, ts)}`)],
    ['no prefix', (body) => signed(body, now(), (ts) => sign(body, ts))],
    ['a short digest', (body) => signed(body, now(), (ts) => `v0=${sign(body, ts).slice(2)}`)],
    ['a long digest', (body) => signed(body, now(), (ts) => `v0=${sign(body, ts)}00`)],
    ['a non-hex digest', (body) => signed(body, now(), () => `v0=${'g'.repeat(64)}`)],
    ['a timestamp 6 minutes old', (body) => signed(body, now() - 360)],
    ['a timestamp 6 minutes ahead', (body) => signed(body, now() + 360)],
    ['a non-numeric timestamp', (body) => signed(body, 'soon')],
    [
      'a signature over the same JSON re-serialized',
      (body) => signed(body, now(), (ts) => `v0=${sign(JSON.stringify(JSON.parse(body)), ts)}`),
    ],
    [
      'a signature made for another timestamp',
      (body) => ({ ...signed(body, now() - 10), 'x-slack-request-timestamp': String(now()) }),
    ],
  ];
  it.each(refusals)('refuses %s with 401 and enqueues nothing', async (label, headers) => {
    const gateway = await gatewayWith();
    const id = `EvRefused${label.replace(/\W+/g, '')}`;
    // Pretty-printed, so a re-serialization differs from the bytes sent.
    const body = JSON.stringify(JSON.parse(dm(id)), null, 1);
    const answer = await gateway.request('/slack/events', {
      body,
      headers: { 'content-type': 'application/json', ...headers(body) },
    });
    expect(answer.status).toBe(401);
    expect(answer.json).toMatchObject({ code: 'SIGNATURE_INVALID' });
    await barrier(gateway);
    expect(fakes.slack.requests.filter(repliesTo(id))).toHaveLength(0);
  });

  it('accepts timestamps just inside the 5-minute window in both directions', async () => {
    const gateway = await gatewayWith();
    expect((await gateway.postSlack(dm('EvOld'), { ts: now() - 280 })).status).toBe(200);
    expect((await gateway.postSlack(dm('EvNew'), { ts: now() + 280 })).status).toBe(200);
  });

  it('refuses every event with 401 when no signing secret is configured', async () => {
    const gateway = await gatewayWith({ signing_secret: null });
    expect((await gateway.postSlack(dm('EvNoSecret'), { secret: '' })).status).toBe(401);
    expect((await gateway.postSlack(dm('EvNoSecret'))).status).toBe(401);
  });
});

/** Headers with a timestamp and a signature (by default the correct one for that timestamp). */
function signed(
  body: string,
  ts: number | string,
  signature: (ts: string) => string = (t) => `v0=${sign(body, t)}`,
): Record<string, string> {
  const stamp = String(ts);
  return { 'x-slack-request-timestamp': stamp, 'x-slack-signature': signature(stamp) };
}

describe('Slack through the gateway: url_verification', () => {
  const challenge = JSON.stringify({
    token: 't',
    challenge: 'abc123challenge',
    type: 'url_verification',
  });

  it('answers a signed url_verification with its challenge', async () => {
    const gateway = await gatewayWith();
    const answer = await gateway.postSlack(challenge);
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ challenge: 'abc123challenge' });
  });

  it('refuses an unsigned url_verification with 401', async () => {
    const gateway = await gatewayWith();
    const answer = await gateway.request('/slack/events', {
      body: challenge,
      headers: { 'content-type': 'application/json' },
    });
    expect(answer.status).toBe(401);
    expect(answer.text).not.toContain('abc123challenge');
  });
});

describe('Slack through the gateway: allowlist, bots and dedup', () => {
  it('acknowledges a user outside allowed_users, never answers, and counts the drop', async () => {
    const gateway = await gatewayWith({ allowed_users: ['U0USER1'] });
    const answer = await gateway.postSlack(dm('EvStranger', 'U0STRANGER'));
    expect(answer).toMatchObject({ status: 200, json: { accepted: 0 } });
    expect(await gateway.channelMessages('slack', 'dropped')).toBe(1);
    await barrier(gateway, 'U0USER1');
    expect(fakes.slack.requests.filter(repliesTo('EvStranger'))).toHaveLength(0);
  });

  it('answers nobody with an empty allowlist', async () => {
    const gateway = await gatewayWith({ allowed_users: [] });
    const answer = await gateway.postSlack(dm('EvNobody'));
    expect(answer).toMatchObject({ status: 200, json: { accepted: 0 } });
    expect(await gateway.channelMessages('slack', 'dropped')).toBe(1);
  });

  it('ignores bot messages, its own included', async () => {
    const gateway = await gatewayWith();
    const fromBot = slackEventCallback({ eventId: 'EvBot', user: 'U0B', text: 'x', botId: 'B1' });
    const own = slackEventCallback({ eventId: 'EvOwn', user: 'UBOT', text: 'x' });
    for (const event of [fromBot, own]) {
      const answer = await gateway.postSlack(JSON.stringify(event));
      expect(answer.json).toEqual({ status: 'ok', accepted: 0, duplicates: 0 });
    }
  });

  it('answers an event redelivered by Slack, and again after a restart, exactly once', async () => {
    const gateway = await gatewayWith();
    const body = dm('EvDup');
    expect((await gateway.postSlack(body)).json).toMatchObject({ accepted: 1 });
    await fakes.slack.waitForRequests(1, repliesTo('EvDup'), WAIT_MS);
    const retried = await gateway.request('/slack/events', {
      body,
      headers: {
        'content-type': 'application/json',
        'x-slack-retry-num': '1',
        'x-slack-retry-reason': 'http_timeout',
        ...signed(body, now()),
      },
    });
    expect(retried.json).toEqual({ status: 'ok', accepted: 0, duplicates: 1 });
    await gateway.restart();
    expect((await gateway.postSlack(body)).json).toEqual({
      status: 'ok',
      accepted: 0,
      duplicates: 1,
    });
    await barrier(gateway);
    expect(fakes.slack.requests.filter(repliesTo('EvDup'))).toHaveLength(1);
  });
});

describe('Slack through the gateway: delivery', () => {
  it('splits a long reply into parts of at most 4000 characters in the same thread', async () => {
    const gateway = await gatewayWith();
    const long = `long:${'y'.repeat(5000)}`;
    await gateway.postSlack(dm('EvLong', 'U0USER1', long));
    const parts = await fakes.slack.waitForRequests(2, repliesTo('yyyyyyyy'), WAIT_MS);
    expect(parts.map((part) => postedText(part).length)).toEqual([4000, 5011 - 4000]);
    expect(parts.map(postedText).join('')).toBe(`echo: ${long}`);
    expect(new Set(parts.map((p) => (p.body as { thread_ts: string }).thread_ts)).size).toBe(1);
  });

  it('retries after a 429 with Retry-After and posts the reply exactly once', async () => {
    const gateway = await gatewayWith();
    fakes.slack.failNext(1, { status: 429, retryAfterSecs: 1 });
    await gateway.postSlack(dm('EvLimited'));
    await fakes.slack.waitForRequests(2, repliesTo('EvLimited'), WAIT_MS);
    await barrier(gateway);
    expect(fakes.slack.requests.filter(repliesTo('EvLimited'))).toHaveLength(2);
  });

  it('retries after a 500 and posts the reply exactly once', async () => {
    const gateway = await gatewayWith();
    fakes.slack.failNext(1, { status: 500 });
    await gateway.postSlack(dm('EvFlaky'));
    await fakes.slack.waitForRequests(2, repliesTo('EvFlaky'), WAIT_MS);
    await barrier(gateway);
    expect(fakes.slack.requests.filter(repliesTo('EvFlaky'))).toHaveLength(2);
  });

  it('treats an ok:false body as a failure: no retry for a permanent error, then an error reply', async () => {
    const gateway = await gatewayWith({}, { max_attempts: 5 });
    fakes.slack.failNext(1, { error: 'channel_not_found' });
    const before = fakes.slack.requests.length;
    await gateway.postSlack(dm('EvGone'));
    await fakes.slack.waitForRequests(before + 2, undefined, WAIT_MS);
    expect(fakes.slack.requests.slice(before).map(postedText)).toEqual([
      'echo: hello EvGone',
      FAILURE_REPLY,
    ]);
    await expect
      .poll(() => gateway.channelMessages('slack', 'failed'), { timeout: WAIT_MS })
      .toBe(1);
  });
});
