import { deliverReply } from '../../test-support/deliver-reply.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TelegramConfig } from '../../config/schema.js';
import { channelRequest, telegramUpdate } from '../../test-support/channel-payloads.js';
import {
  startFakeTelegramApi,
  type FakeTelegramApi,
} from '../../test-support/fake-telegram-api.js';
import { createTelegramAdapter } from './adapter.js';

const TOKEN = '123456:SECRET-bot-token';
const config: TelegramConfig = {
  bot_token: TOKEN,
  secret_token: 'tg-secret',
  allowed_users: ['*'],
  mode: 'webhook',
  poll_timeout_secs: 1,
  on_unknown_outcome: 'resend' as const,
  api_base_url: 'http://127.0.0.1:9',
};

const parse = (payload: unknown, overrides: Partial<TelegramConfig> = {}) =>
  createTelegramAdapter({ config: { ...config, ...overrides } }).parse(
    channelRequest({ body: JSON.stringify(payload) }),
  );

describe('Telegram parse', () => {
  it('allowlists on the numeric from.id, never on the username', () => {
    const impostor = telegramUpdate({ updateId: 1, fromId: 999, username: '4242', text: 'hi' });
    const owner = telegramUpdate({ updateId: 2, fromId: 4242, username: 'someone', text: 'hi' });
    expect(parse(impostor, { allowed_users: [4242] })).toEqual({ messages: [], dropped: 1 });
    expect(parse(owner, { allowed_users: [4242] }).messages).toHaveLength(1);
    expect(parse(owner, { allowed_users: [] })).toEqual({ messages: [], dropped: 1 });
  });

  it('encodes a negative group chat id in the reply target', () => {
    const update = telegramUpdate({
      updateId: 5,
      fromId: 1,
      chatId: -100200,
      messageId: 9,
      text: 'x',
    });
    expect(parse(update).messages[0]).toMatchObject({
      replyTarget: '-100200:9',
      conversationId: 'telegram:-100200',
      messageId: '5',
    });
  });

  it('ignores edited messages and messages without text', () => {
    expect(parse({ update_id: 1, edited_message: { message_id: 1 } })).toEqual({
      messages: [],
      dropped: 0,
    });
    const sticker = telegramUpdate({ updateId: 2, fromId: 1, text: '' }) as unknown as {
      message: Record<string, unknown>;
    };
    delete sticker.message.text;
    expect(parse(sticker)).toEqual({ messages: [], dropped: 0 });
  });

  it('rejects an update without update_id as INVALID_BODY', () => {
    expect(() => parse({ message: {} })).toThrow(expect.objectContaining({ code: 'INVALID_BODY' }));
  });
});

describe('Telegram deliver', () => {
  let fake: FakeTelegramApi;
  beforeEach(async () => {
    fake = await startFakeTelegramApi({ botToken: TOKEN });
  });
  afterEach(async () => {
    await fake.close();
  });
  const message = {
    channel: 'telegram' as const,
    senderId: '4242',
    conversationId: 'telegram:4242',
    text: 'q',
    messageId: '1',
    replyTarget: '4242:77',
    receivedAt: 0,
  };

  it('sends sendMessage replying to the original, split over 4096 characters', async () => {
    const adapter = createTelegramAdapter({ config: { ...config, api_base_url: fake.url } });
    await deliverReply(adapter, message, 'z'.repeat(5000));
    expect(fake.requests[0]?.path).toBe(`/bot${TOKEN}/sendMessage`);
    expect(fake.requests[0]?.body).toEqual({
      chat_id: 4242,
      text: 'z'.repeat(4096),
      reply_parameters: { message_id: 77, allow_sending_without_reply: true },
      parse_mode: 'HTML',
    });
    expect(fake.sentMessages().map((sent) => sent.text.length)).toEqual([4096, 904]);
  });

  it('never puts the bot token in an error message', async () => {
    for (const base of [fake.url, 'http://127.0.0.1:9']) {
      const adapter = createTelegramAdapter({
        config: { ...config, api_base_url: base, bot_token: `${TOKEN}-wrong` },
      });
      const error = await adapter
        .deliver({ message, text: 'x' }, AbortSignal.timeout(10_000))
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'DeliveryError' });
      expect((error as Error).message).not.toContain('SECRET');
      expect(JSON.stringify(error)).not.toContain('SECRET');
    }
  });
});

describe('Telegram deliver formatting', () => {
  let fake: FakeTelegramApi;
  beforeEach(async () => {
    fake = await startFakeTelegramApi({ botToken: TOKEN });
  });
  afterEach(async () => {
    await fake.close();
  });
  const message = {
    channel: 'telegram' as const,
    senderId: '4242',
    conversationId: 'telegram:4242',
    text: 'q',
    messageId: '1',
    replyTarget: '4242:77',
    receivedAt: 0,
  };
  const adapter = () => createTelegramAdapter({ config: { ...config, api_base_url: fake.url } });

  it('splits a long reply into stored parts that never cut inside a code block', () => {
    const code = Array.from({ length: 400 }, (_, i) => `line ${i} < ${i + 1}`).join('\n');
    const parts = adapter().split(`${'intro '.repeat(300)}\n\n\`\`\`\n${code}\n\`\`\`\nafter`);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(4096);
      expect(part.split('<pre>').length).toBe(part.split('</pre>').length);
      // Stored as sent: escaped HTML, and every piece of the code block inside its own <pre>.
      expect(part).not.toContain(' < ');
      if (part.includes('line ')) expect(part).toMatch(/<pre>[\s\S]*<\/pre>/);
    }
  });

  it('sends Markdown as Telegram HTML', async () => {
    await deliverReply(adapter(), message, '**Hi** <you> & `x`');
    expect(fake.sentMessages().map((sent) => sent.text)).toEqual([
      '<b>Hi</b> &lt;you&gt; &amp; <code>x</code>',
    ]);
  });

  it('re-sends once as plain text when Telegram cannot parse the entities', async () => {
    fake.failNext(1, { status: 400, description: "Bad Request: can't parse entities: x" });
    await deliverReply(adapter(), message, '**Hi** [a](https://b.c)');
    const bodies = fake.requests.map((request) => request.body as Record<string, unknown>);
    expect(bodies.map((body) => [body.text, body.parse_mode])).toEqual([
      ['<b>Hi</b> <a href="https://b.c">a</a>', 'HTML'],
      ['Hi a (https://b.c)', undefined],
    ]);
  });

  it('does not retry as plain text on other 400s, nor twice', async () => {
    fake.failNext(1, { status: 400, description: 'Bad Request: chat not found' });
    await expect(
      adapter().deliver({ message, text: 'x' }, AbortSignal.timeout(10_000)),
    ).rejects.toMatchObject({ status: 400 });
    expect(fake.requests).toHaveLength(1);
    fake.failNext(2, { status: 400, description: "Bad Request: can't parse entities: x" });
    await expect(
      adapter().deliver({ message, text: 'y' }, AbortSignal.timeout(10_000)),
    ).rejects.toMatchObject({ status: 400 });
    expect(fake.requests).toHaveLength(3);
  });
});
