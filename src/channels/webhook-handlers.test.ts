import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isGatewayError } from '../errors.js';
import { openSqliteInbox } from '../inbox/sqlite-inbox.js';
import type { Inbox } from '../inbox/types.js';
import {
  signMeta,
  signSlack,
  telegramUpdate,
  whatsappWebhook,
} from '../test-support/channel-payloads.js';
import { recordingObserver, silentLogger } from '../test-support/channel-test-deps.js';
import { channelRouteRegistrar } from './route-builder.js';
import { slackModule } from './slack/module.js';
import { telegramModule } from './telegram/module.js';
import { webhookHandlers } from './webhook-handlers.js';
import { whatsappModule } from './whatsapp/module.js';
import { createSlackAdapter } from './slack/index.js';
import { createTelegramAdapter } from './telegram/index.js';
import type { ChannelAdapter } from './types.js';
import { createWhatsAppAdapter } from './whatsapp/index.js';

/** A minimal app mimicking the gateway's raw-body parser and central error handler. */
async function buildApp(adapters: ChannelAdapter[], inbox: Inbox, observer = recordingObserver()) {
  const app = Fastify();
  app.decorateRequest('rawBody', null as unknown as Buffer);
  app.addHook('onRequest', async (request) => {
    request.rawBody = Buffer.alloc(0);
  });
  // Like the gateway: no built-in JSON parsing, every body kept as its exact bytes.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
    request.rawBody = body as Buffer;
    done(null, undefined);
  });
  app.setErrorHandler((error, _request, reply) => {
    if (isGatewayError(error)) return reply.code(error.status).send(error.toBody());
    return reply.code(500).send({ error: 'Internal server error', code: 'INTERNAL' });
  });
  const deps = { inbox, observer, logger: silentLogger() };
  await app.register(async (scope) => {
    await channelRouteRegistrar(
      [whatsappModule, slackModule, telegramModule].map((module) => {
        const adapter = adapters.find((candidate) => candidate.name === module.name);
        return {
          routes: module.routes,
          handlers: adapter === undefined ? undefined : webhookHandlers(adapter, deps),
        };
      }),
    )(scope);
  });
  await app.ready();
  return app;
}

const whatsapp = createWhatsAppAdapter({
  config: {
    access_token: 'a',
    phone_number_id: '123456789',
    app_secret: 'wa-secret',
    verify_token: 'wa-verify',
    allowed_numbers: ['+15550000001'],
    api_base_url: 'http://127.0.0.1:9',
    api_version: 'v21.0',
    on_unknown_outcome: 'resend' as const,
  },
});
const slack = createSlackAdapter({
  config: {
    bot_token: 'xoxb',
    signing_secret: 'slack-secret',
    allowed_users: ['*'],
    api_base_url: 'http://127.0.0.1:9',
  },
});
const telegram = createTelegramAdapter({
  config: {
    bot_token: '1:t',
    secret_token: 'tg-secret',
    allowed_users: ['*'],
    mode: 'webhook',
    poll_timeout_secs: 1,
    on_unknown_outcome: 'resend' as const,
    api_base_url: 'http://127.0.0.1:9',
  },
});

describe('channel routes', () => {
  let dir: string;
  let inbox: Inbox;
  let app: FastifyInstance | undefined;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-routes-'));
    inbox = openSqliteInbox({ path: path.join(dir, 'inbox.db') });
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    await inbox.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const waBody = JSON.stringify(
    whatsappWebhook([
      [
        { from: '15550000001', id: 'wamid.1', text: 'one' },
        { from: '15559999999', id: 'wamid.x', text: 'stranger' },
      ],
      [{ from: '15550000001', id: 'wamid.2', text: 'two' }],
    ]),
  );
  const postWhatsApp = (body: string, signature: string | undefined) =>
    app!.inject({
      method: 'POST',
      url: '/whatsapp',
      headers: {
        'content-type': 'application/json',
        ...(signature ? { 'x-hub-signature-256': signature } : {}),
      },
      payload: body,
    });

  it('answers the WhatsApp handshake with the challenge as text/plain', async () => {
    app = await buildApp([whatsapp], inbox);
    const ok = await app.inject({
      method: 'GET',
      url: '/whatsapp?hub.mode=subscribe&hub.verify_token=wa-verify&hub.challenge=98765',
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['content-type']).toMatch(/^text\/plain/);
    expect(ok.body).toBe('98765');
    const bad = await app.inject({
      method: 'GET',
      url: '/whatsapp?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=98765',
    });
    expect(bad.statusCode).toBe(403);
    expect(bad.headers['content-type']).toMatch(/^application\/json/);
    expect(bad.json()).toMatchObject({ code: 'WEBHOOK_VERIFICATION_FAILED' });
  });

  it('enqueues every message, answers 200 with counts, and acknowledges redeliveries', async () => {
    const observer = recordingObserver();
    app = await buildApp([whatsapp], inbox, observer);
    const first = await postWhatsApp(waBody, signMeta(waBody, 'wa-secret'));
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ status: 'ok', accepted: 2, duplicates: 0 });
    const again = await postWhatsApp(waBody, signMeta(waBody, 'wa-secret'));
    expect(again.json()).toEqual({ status: 'ok', accepted: 0, duplicates: 2 });
    expect((await inbox.counts()).pending).toBe(2);
    const directions = observer.events.flatMap((e) =>
      e.type === 'ChannelMessage' ? [e.direction] : [],
    );
    expect(directions.filter((d) => d === 'inbound')).toHaveLength(2);
    expect(directions.filter((d) => d === 'duplicate')).toHaveLength(2);
    expect(directions.filter((d) => d === 'dropped')).toHaveLength(2);
  });

  it('refuses a bad signature with 401 and stores nothing', async () => {
    app = await buildApp([whatsapp], inbox);
    for (const signature of [undefined, signMeta(waBody, 'wrong')]) {
      const response = await postWhatsApp(waBody, signature);
      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({ code: 'SIGNATURE_INVALID' });
    }
    expect((await inbox.counts()).pending).toBe(0);
  });

  it('answers 400 INVALID_JSON for a correctly signed body that is not JSON', async () => {
    app = await buildApp([whatsapp], inbox);
    const response = await postWhatsApp('{oops', signMeta('{oops', 'wa-secret'));
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'INVALID_JSON' });
  });

  it('does not acknowledge when the inbox write fails', async () => {
    const failing: Inbox = {
      ...inbox,
      enqueue: async () => {
        throw new Error('disk full');
      },
    };
    app = await buildApp([whatsapp], failing);
    const response = await postWhatsApp(waBody, signMeta(waBody, 'wa-secret'));
    expect(response.statusCode).toBe(500);
  });

  it('answers Slack url_verification only after the signature checks out', async () => {
    app = await buildApp([slack], inbox);
    const body = JSON.stringify({ type: 'url_verification', challenge: 'abc', token: 't' });
    const ts = Math.floor(Date.now() / 1000);
    const post = (signature: string) =>
      app!.inject({
        method: 'POST',
        url: '/slack/events',
        headers: {
          'content-type': 'application/json',
          'x-slack-request-timestamp': String(ts),
          'x-slack-signature': signature,
        },
        payload: body,
      });
    const ok = await post(signSlack(body, 'slack-secret', ts));
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ challenge: 'abc' });
    expect((await post(signSlack(body, 'other', ts))).statusCode).toBe(401);
  });

  it('checks the Telegram secret header with 403', async () => {
    app = await buildApp([telegram], inbox);
    const body = JSON.stringify(telegramUpdate({ updateId: 1, fromId: 5, text: 'hi' }));
    const post = (secret: string) =>
      app!.inject({
        method: 'POST',
        url: '/telegram',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret },
        payload: body,
      });
    const bad = await post('nope');
    expect(bad.statusCode).toBe(403);
    expect(bad.json()).toMatchObject({ code: 'CHANNEL_SECRET_INVALID' });
    expect((await post('tg-secret')).json()).toEqual({ status: 'ok', accepted: 1, duplicates: 0 });
  });

  it('answers 404 CHANNEL_NOT_CONFIGURED on the paths of unconfigured channels', async () => {
    app = await buildApp([], inbox);
    for (const [method, url] of [
      ['GET', '/whatsapp'],
      ['POST', '/whatsapp'],
      ['POST', '/slack/events'],
      ['POST', '/telegram'],
      ['GET', '/channels/whatsapp/webhook'],
      ['POST', '/channels/whatsapp/webhook'],
      ['POST', '/channels/slack/events'],
      ['POST', '/channels/telegram/webhook'],
    ] as const) {
      const response = await app.inject({
        method,
        url,
        payload: method === 'POST' ? '{}' : undefined,
      });
      expect(response.statusCode, url).toBe(404);
      expect(response.json()).toMatchObject({ code: 'CHANNEL_NOT_CONFIGURED' });
    }
  });

  it('serves the /channels/<name>/… aliases exactly like the original paths', async () => {
    const tgSecret = 'tg-secret';
    app = await buildApp([whatsapp, slack, telegram], inbox);
    const waSigned = (id: string) => {
      const body = JSON.stringify(whatsappWebhook([[{ from: '15550000001', id, text: 'hi' }]]));
      return { body, signature: signMeta(body, 'wa-secret') };
    };
    for (const url of ['/whatsapp', '/channels/whatsapp/webhook']) {
      const { body, signature } = waSigned(`wamid.${url}`);
      const ok = await app.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
        payload: body,
      });
      expect(ok.json(), url).toEqual({ status: 'ok', accepted: 1, duplicates: 0 });
      const forged = await app.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': 'sha256=00' },
        payload: body,
      });
      expect(forged.statusCode, url).toBe(401);
      const challenge = await app.inject({
        method: 'GET',
        url: `${url}?hub.mode=subscribe&hub.verify_token=wa-verify&hub.challenge=42`,
      });
      expect([challenge.statusCode, challenge.body], url).toEqual([200, '42']);
    }
    for (const url of ['/slack/events', '/channels/slack/events']) {
      const body = JSON.stringify({ type: 'url_verification', challenge: url, token: 't' });
      const ts = Math.floor(Date.now() / 1000);
      const response = await app.inject({
        method: 'POST',
        url,
        headers: {
          'content-type': 'application/json',
          'x-slack-request-timestamp': String(ts),
          'x-slack-signature': signSlack(body, 'slack-secret', ts),
        },
        payload: body,
      });
      expect(response.json(), url).toEqual({ challenge: url });
    }
    for (const [index, url] of ['/telegram', '/channels/telegram/webhook'].entries()) {
      const body = JSON.stringify(telegramUpdate({ updateId: 100 + index, fromId: 5, text: 'hi' }));
      const post = (secret: string) =>
        app!.inject({
          method: 'POST',
          url,
          headers: {
            'content-type': 'application/json',
            'x-telegram-bot-api-secret-token': secret,
          },
          payload: body,
        });
      expect((await post('wrong')).statusCode, url).toBe(403);
      expect((await post(tgSecret)).json(), url).toEqual({
        status: 'ok',
        accepted: 1,
        duplicates: 0,
      });
    }
  });
});
