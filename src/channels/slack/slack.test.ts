import { deliverReply } from '../../test-support/deliver-reply.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SlackConfig } from '../../config/schema.js';
import { channelRequest, slackEventCallback } from '../../test-support/channel-payloads.js';
import { startFakeSlackApi, type FakeSlackApi } from '../../test-support/fake-slack-api.js';
import { createSlackAdapter } from './adapter.js';

const config: SlackConfig = {
  bot_token: 'xoxb-SECRET',
  signing_secret: 'signing',
  allowed_users: ['*'],
  api_base_url: 'http://127.0.0.1:9',
};

const parse = (payload: unknown, overrides: Partial<SlackConfig> = {}) =>
  createSlackAdapter({ config: { ...config, ...overrides } }).parse(
    channelRequest({ body: JSON.stringify(payload) }),
  );

describe('Slack parse', () => {
  it('answers url_verification with its challenge', () => {
    const result = parse({ type: 'url_verification', token: 't', challenge: 'ch-123' });
    expect(result.messages).toEqual([]);
    expect(result.response).toEqual({
      status: 200,
      contentType: 'application/json',
      body: '{"challenge":"ch-123"}',
    });
  });

  it('turns an app_mention into a message without the bot mention, threaded on its ts', () => {
    const result = parse(
      slackEventCallback({
        eventId: 'Ev9',
        type: 'app_mention',
        user: 'U1',
        channel: 'C1',
        ts: '1700.0002',
        text: '<@UBOT> what is up?',
        botUserId: 'UBOT',
      }),
    );
    expect(result.messages).toMatchObject([
      {
        text: 'what is up?',
        messageId: 'Ev9',
        conversationId: 'slack:C1:1700.0002',
        replyTarget: 'C1:1700.0002',
      },
    ]);
  });

  it('replies inside the existing thread when the message is in one', () => {
    const result = parse(
      slackEventCallback({ eventId: 'Ev1', user: 'U1', text: 'hi', ts: '2.0', threadTs: '1.0' }),
    );
    expect(result.messages[0]).toMatchObject({
      replyTarget: 'D0001:1.0',
      conversationId: 'slack:D0001:1.0',
    });
  });

  it.each([
    ['another bot', { botId: 'B1' }],
    ['an edited message subtype', { subtype: 'message_changed' }],
    ['the bot itself', { user: 'UBOT' }],
    ['a channel message without a mention', { channelType: 'channel' }],
    ['a mention with no text left', { type: 'app_mention' as const, text: '<@UBOT>' }],
  ])('ignores %s', (_label, overrides) => {
    const result = parse(
      slackEventCallback({ eventId: 'Ev1', user: 'U1', text: 'hi', ...overrides }),
    );
    expect(result).toEqual({ messages: [], dropped: 0 });
  });

  it('drops and counts users outside allowed_users, and admits nobody when it is empty', () => {
    const payload = slackEventCallback({ eventId: 'Ev1', user: 'U2', text: 'hi' });
    expect(parse(payload, { allowed_users: ['U1'] })).toEqual({ messages: [], dropped: 1 });
    expect(parse(payload, { allowed_users: [] })).toEqual({ messages: [], dropped: 1 });
    expect(parse(payload, { allowed_users: ['U2'] }).messages).toHaveLength(1);
  });

  it('acknowledges other envelope types with no messages', () => {
    expect(parse({ type: 'app_rate_limited', minute_rate_limited: 1 })).toEqual({
      messages: [],
      dropped: 0,
    });
  });
});

describe('Slack deliver', () => {
  let fake: FakeSlackApi;
  beforeEach(async () => {
    fake = await startFakeSlackApi({ botToken: config.bot_token });
  });
  afterEach(async () => {
    await fake.close();
  });
  const message = {
    channel: 'slack' as const,
    senderId: 'U1',
    conversationId: 'slack:C1:1.0',
    text: 'q',
    messageId: 'Ev1',
    replyTarget: 'C1:1.0',
    receivedAt: 0,
  };
  const deliver = (text = 'answer') =>
    deliverReply(
      createSlackAdapter({ config: { ...config, api_base_url: fake.url } }),
      message,
      text,
    ).then(
      () => undefined,
      (error: unknown) => error,
    );

  it('posts chat.postMessage in the thread with the bot token', async () => {
    expect(await deliver()).toBeUndefined();
    expect(fake.posted()).toEqual([
      {
        channel: 'C1',
        text: 'answer',
        thread_ts: '1.0',
        authorization: `Bearer ${config.bot_token}`,
      },
    ]);
  });

  it('treats an ok:false body as a non-retryable failure', async () => {
    fake.failNext(1, { error: 'channel_not_found' });
    expect(await deliver()).toMatchObject({ name: 'DeliveryError', retryable: false });
  });

  it('treats an ok:false ratelimited body as retryable', async () => {
    fake.failNext(1, { error: 'ratelimited' });
    expect(await deliver()).toMatchObject({ retryable: true });
  });

  it('splits a reply over 4000 characters', async () => {
    expect(await deliver('y '.repeat(3000).trim())).toBeUndefined();
    expect(fake.posted().length).toBe(2);
  });
});
