import { runChannelAdapterContract } from '../test-support/channel-contract.js';
import {
  channelRequest,
  signMeta,
  signSlack,
  slackEventCallback,
  telegramUpdate,
  whatsappWebhook,
} from '../test-support/channel-payloads.js';
import { startFakeGraphApi } from '../test-support/fake-graph-api.js';
import { startFakeSlackApi } from '../test-support/fake-slack-api.js';
import { startFakeTelegramApi } from '../test-support/fake-telegram-api.js';
import { createSlackAdapter } from './slack/index.js';
import { createTelegramAdapter } from './telegram/index.js';
import { createWhatsAppAdapter } from './whatsapp/index.js';

runChannelAdapterContract('whatsapp', async () => {
  const fake = await startFakeGraphApi({ accessToken: 'wa-access' });
  const config = {
    access_token: 'wa-access',
    phone_number_id: '123456789',
    app_secret: 'wa-app-secret',
    verify_token: 'wa-verify',
    allowed_numbers: ['+15551234567'],
    api_base_url: fake.url,
    api_version: 'v21.0',
    on_unknown_outcome: 'resend' as const,
  };
  const body = JSON.stringify(
    whatsappWebhook([[{ from: '15551234567', id: 'wamid.ABC', text: 'hi there' }]]),
  );
  const request = (signature: string | undefined) =>
    channelRequest({ body, headers: { 'x-hub-signature-256': signature } });
  return {
    adapter: createWhatsAppAdapter({ config }),
    adapterWithoutSecret: createWhatsAppAdapter({ config: { ...config, app_secret: undefined } }),
    validRequest: () => request(signMeta(body, 'wa-app-secret')),
    forgedRequests: () => [
      { label: 'missing signature', request: request(undefined) },
      { label: 'wrong secret', request: request(signMeta(body, 'other')) },
      { label: 'empty-secret signature', request: request(signMeta(body, '')) },
      {
        label: 'upper-case prefix',
        request: request(signMeta(body, 'wa-app-secret').replace('sha256=', 'SHA256=')),
      },
      {
        label: 're-serialized body',
        request: request(signMeta(JSON.stringify(JSON.parse(body), null, 1), 'wa-app-secret')),
      },
    ],
    rejectCode: 'SIGNATURE_INVALID',
    expectedMessage: {
      channel: 'whatsapp',
      senderId: '+15551234567',
      conversationId: 'whatsapp:15551234567',
      text: 'hi there',
      messageId: 'wamid.ABC',
      replyTarget: '15551234567',
    },
    delivered: () => fake.sent().map((sent) => ({ to: sent.to, text: sent.body })),
    expectedRecipient: '15551234567',
    failNextWith429: (secs) => fake.failNext(1, { status: 429, retryAfterSecs: secs }),
    failNextWith500: () => fake.failNext(1, { status: 500 }),
    close: () => fake.close(),
  };
});

runChannelAdapterContract('slack', async () => {
  const fake = await startFakeSlackApi({ botToken: 'xoxb-test' });
  const config = {
    bot_token: 'xoxb-test',
    signing_secret: 'slack-signing',
    allowed_users: ['U0USER'],
    api_base_url: fake.url,
  };
  const body = JSON.stringify(
    slackEventCallback({ eventId: 'Ev01', user: 'U0USER', text: 'hello bot', ts: '1700.0001' }),
  );
  const request = (headers: Record<string, string | undefined>) =>
    channelRequest({ body, headers });
  const ts = () => Math.floor(Date.now() / 1000);
  return {
    adapter: createSlackAdapter({ config }),
    adapterWithoutSecret: createSlackAdapter({ config: { ...config, signing_secret: undefined } }),
    validRequest: () =>
      request({
        'x-slack-request-timestamp': String(ts()),
        'x-slack-signature': signSlack(body, 'slack-signing', ts()),
      }),
    forgedRequests: () => [
      {
        label: 'missing signature',
        request: request({ 'x-slack-request-timestamp': String(ts()) }),
      },
      {
        label: 'missing timestamp',
        request: request({ 'x-slack-signature': signSlack(body, 'slack-signing', ts()) }),
      },
      {
        label: 'wrong secret',
        request: request({
          'x-slack-request-timestamp': String(ts()),
          'x-slack-signature': signSlack(body, 'other', ts()),
        }),
      },
      {
        label: 'stale timestamp',
        request: request({
          'x-slack-request-timestamp': String(ts() - 600),
          'x-slack-signature': signSlack(body, 'slack-signing', ts() - 600),
        }),
      },
      {
        label: 're-serialized body',
        request: request({
          'x-slack-request-timestamp': String(ts()),
          'x-slack-signature': signSlack(
            JSON.stringify(JSON.parse(body), null, 2),
            'slack-signing',
            ts(),
          ),
        }),
      },
    ],
    rejectCode: 'SIGNATURE_INVALID',
    expectedMessage: {
      channel: 'slack',
      senderId: 'U0USER',
      conversationId: 'slack:D0001',
      text: 'hello bot',
      messageId: 'Ev01',
      replyTarget: 'D0001:1700.0001',
    },
    delivered: () =>
      fake.posted().map((post) => ({ to: `${post.channel}:${post.thread_ts}`, text: post.text })),
    expectedRecipient: 'D0001:1700.0001',
    failNextWith429: (secs) => fake.failNext(1, { status: 429, retryAfterSecs: secs }),
    failNextWith500: () => fake.failNext(1, { status: 500 }),
    close: () => fake.close(),
  };
});

runChannelAdapterContract('telegram', async () => {
  const fake = await startFakeTelegramApi({ botToken: '123:tg-token' });
  const config = {
    bot_token: '123:tg-token',
    secret_token: 'tg-secret',
    allowed_users: [4242] as Array<number | '*'>,
    mode: 'webhook' as const,
    poll_timeout_secs: 1,
    on_unknown_outcome: 'resend' as const,
    api_base_url: fake.url,
  };
  const body = JSON.stringify(
    telegramUpdate({ updateId: 9001, fromId: 4242, chatId: 4242, messageId: 77, text: 'yo' }),
  );
  const request = (secret: string | undefined) =>
    channelRequest({ body, headers: { 'x-telegram-bot-api-secret-token': secret } });
  return {
    adapter: createTelegramAdapter({ config }),
    adapterWithoutSecret: createTelegramAdapter({ config: { ...config, secret_token: undefined } }),
    validRequest: () => request('tg-secret'),
    forgedRequests: () => [
      { label: 'missing secret header', request: request(undefined) },
      { label: 'empty secret header', request: request('') },
      { label: 'wrong secret', request: request('tg-secreT') },
    ],
    rejectCode: 'CHANNEL_SECRET_INVALID',
    expectedMessage: {
      channel: 'telegram',
      senderId: '4242',
      conversationId: 'telegram:4242',
      text: 'yo',
      messageId: '9001',
      replyTarget: '4242:77',
    },
    delivered: () =>
      fake
        .sentMessages()
        .map((sent) => ({ to: `${sent.chat_id}:${sent.reply_to}`, text: sent.text })),
    expectedRecipient: '4242:77',
    failNextWith429: (secs) => fake.failNext(1, { status: 429, retryAfterSecs: secs }),
    failNextWith500: () => fake.failNext(1, { status: 500 }),
    close: () => fake.close(),
  };
});
