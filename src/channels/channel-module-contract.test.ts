import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { ADMIN_SECRET_FILE } from '../auth/admin-secret.js';
import {
  CHANNEL_SECRETS,
  channelGatewayToml,
  slackSection,
  startChannelFakes,
  telegramSection,
  whatsappSection,
} from '../test-support/channel-gateway.js';
import type { ChannelFakes } from '../test-support/channel-gateway.js';
import type { ChannelModuleHarness, RouteProbe } from '../test-support/channel-module-contract.js';
import { runChannelModuleContract } from '../test-support/channel-module-contract.js';
import {
  signMeta,
  signSlack,
  slackEventCallback,
  telegramUpdate,
  whatsappWebhook,
} from '../test-support/channel-payloads.js';
import {
  closeTestGateways,
  handMadeToken,
  send,
  startTestGateway,
} from '../test-support/gateway-harness.js';
import type { TestGateway } from '../test-support/gateway-harness.js';
import { connectWs } from '../test-support/ws-client.js';
import { apiModule } from './api/module.js';
import { openaiModule } from './openai/module.js';
import { slackModule } from './slack/module.js';
import { telegramModule } from './telegram/module.js';
import { webModule } from './web/module.js';
import { whatsappModule } from './whatsapp/module.js';

const TOKEN = handMadeToken('c0de');
const bearer = { authorization: `Bearer ${TOKEN}` };

/** A gateway with a paired token and the three fake platform APIs. */
function gatewayWithFakes(): ChannelModuleHarness['start'] {
  return async () => {
    const fakes: ChannelFakes = await startChannelFakes();
    const gateway = await startTestGateway({
      toml: channelGatewayToml({
        gateway: { paired_tokens: [TOKEN] },
        channels_config: {
          whatsapp: whatsappSection(fakes),
          slack: slackSection(fakes),
          telegram: telegramSection(fakes),
        },
      }),
    });
    return {
      gateway,
      async close() {
        await closeTestGateways();
        await fakes.close();
      },
    };
  };
}

/** The `code` of a gateway error body or an OpenAI-shaped one. */
function codeOf(body: Record<string, unknown>): string {
  const nested = body.error;
  if (typeof nested === 'object' && nested !== null && 'code' in nested) {
    return String(nested.code).toUpperCase();
  }
  return String(body.code);
}

async function refusal(
  gateway: TestGateway,
  path: string,
  options: Parameters<typeof send>[2],
): Promise<{ status: number; code: string }> {
  const reply = await send(gateway, path, options);
  return { status: reply.status, code: codeOf(reply.body) };
}

const unauthenticated: RouteProbe['refusedWith'] = { status: 401, code: 'AUTH_MISSING_TOKEN' };

runChannelModuleContract(apiModule, {
  start: gatewayWithFakes(),
  probes: {
    webhook: {
      async accept(gateway, path) {
        const reply = await send(gateway, path, { headers: bearer, body: { message: 'hi' } });
        expect(reply.status).toBe(200);
        expect(reply.body).toMatchObject({ response: expect.stringContaining('hi') });
      },
      refuse: (gateway, path) => refusal(gateway, path, { body: { message: 'hi' } }),
      refusedWith: unauthenticated,
    },
  },
});

const adminHeaders = (gateway: TestGateway) => ({
  'x-admin-secret': readFileSync(join(gateway.home.dir, ADMIN_SECRET_FILE), 'utf8').trim(),
});

runChannelModuleContract(webModule, {
  start: gatewayWithFakes(),
  probes: {
    ticket: {
      async accept(gateway, path) {
        const reply = await send(gateway, path, { headers: bearer });
        expect(reply.status).toBe(200);
        expect(reply.body).toMatchObject({ ticket: expect.any(String) });
      },
      refuse: (gateway, path) => refusal(gateway, path, {}),
      refusedWith: unauthenticated,
    },
    socket: {
      async accept(gateway, path) {
        const result = await connectWs(`${gateway.url.replace('http', 'ws')}${path}`, {
          headers: bearer,
        });
        if (!result.ok) throw new Error(`upgrade refused: ${result.status} ${result.body}`);
        expect(await result.client.next()).toMatchObject({ type: 'ready' });
        result.client.ws.close();
      },
      async refuse(gateway, path) {
        const result = await connectWs(`${gateway.url.replace('http', 'ws')}${path}`);
        if (result.ok) throw new Error('upgrade accepted without credentials');
        return {
          status: result.status,
          code: codeOf(JSON.parse(result.body) as Record<string, unknown>),
        };
      },
      refusedWith: unauthenticated,
    },
    'admin-sessions': {
      async accept(gateway, path) {
        const reply = await send(gateway, path, { method: 'GET', headers: adminHeaders(gateway) });
        expect(reply.status).toBe(200);
        expect(reply.body).toEqual({ sessions: expect.any(Array) });
      },
      refuse: (gateway, path) => refusal(gateway, path, { method: 'GET' }),
      refusedWith: { status: 403, code: 'ADMIN_FORBIDDEN' },
    },
    'admin-session-kill': {
      async accept(gateway, path) {
        const unknown = path.replace(':id', '6f1c2f9e-2b1a-4c3d-9e8f-0a1b2c3d4e5f');
        const reply = await send(gateway, unknown, {
          method: 'DELETE',
          headers: adminHeaders(gateway),
        });
        // Past the guard: the operator is told the session does not exist.
        expect([reply.status, reply.body.code]).toEqual([404, 'SESSION_NOT_FOUND']);
      },
      refuse: (gateway, path) =>
        refusal(gateway, path.replace(':id', '6f1c2f9e-2b1a-4c3d-9e8f-0a1b2c3d4e5f'), {
          method: 'DELETE',
        }),
      refusedWith: { status: 403, code: 'ADMIN_FORBIDDEN' },
    },
  },
});

let waCounter = 0;
runChannelModuleContract(whatsappModule, {
  start: gatewayWithFakes(),
  probes: {
    webhook: {
      async accept(gateway, path) {
        waCounter += 1;
        const body = JSON.stringify(
          whatsappWebhook([[{ from: '15551234567', id: `wamid.c${waCounter}`, text: 'hi' }]]),
        );
        const reply = await send(gateway, path, {
          headers: { 'x-hub-signature-256': signMeta(body, CHANNEL_SECRETS.whatsappAppSecret) },
          body,
        });
        expect(reply.body).toEqual({ status: 'ok', accepted: 1, duplicates: 0 });
      },
      refuse: (gateway, path) =>
        refusal(gateway, path, { body: JSON.stringify(whatsappWebhook([])) }),
      refusedWith: { status: 401, code: 'SIGNATURE_INVALID' },
    },
    handshake: {
      async accept(gateway, path) {
        const query = `hub.mode=subscribe&hub.verify_token=${CHANNEL_SECRETS.whatsappVerifyToken}&hub.challenge=77`;
        const reply = await send(gateway, `${path}?${query}`, { method: 'GET' });
        expect([reply.status, reply.body]).toEqual([200, { value: 77 }]);
      },
      refuse: (gateway, path) =>
        refusal(gateway, `${path}?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1`, {
          method: 'GET',
        }),
      refusedWith: { status: 403, code: 'WEBHOOK_VERIFICATION_FAILED' },
    },
  },
});

let slackCounter = 0;
runChannelModuleContract(slackModule, {
  start: gatewayWithFakes(),
  probes: {
    webhook: {
      async accept(gateway, path) {
        slackCounter += 1;
        const body = JSON.stringify(
          slackEventCallback({
            eventId: `EvC${slackCounter}`,
            user: 'U0USER',
            text: 'hi',
            ts: '1.2',
          }),
        );
        const ts = Math.floor(Date.now() / 1000);
        const reply = await send(gateway, path, {
          headers: {
            'x-slack-request-timestamp': String(ts),
            'x-slack-signature': signSlack(body, CHANNEL_SECRETS.slackSigningSecret, ts),
          },
          body,
        });
        expect(reply.body).toMatchObject({ status: 'ok' });
      },
      refuse: (gateway, path) => refusal(gateway, path, { body: '{}' }),
      refusedWith: { status: 401, code: 'SIGNATURE_INVALID' },
    },
  },
});

let telegramCounter = 0;
runChannelModuleContract(telegramModule, {
  start: gatewayWithFakes(),
  probes: {
    webhook: {
      async accept(gateway, path) {
        telegramCounter += 1;
        const body = JSON.stringify(
          telegramUpdate({ updateId: 5000 + telegramCounter, fromId: 4242, text: 'hi' }),
        );
        const reply = await send(gateway, path, {
          headers: { 'x-telegram-bot-api-secret-token': CHANNEL_SECRETS.telegramSecretToken },
          body,
        });
        expect(reply.body).toMatchObject({ status: 'ok' });
      },
      refuse: (gateway, path) => refusal(gateway, path, { body: '{}' }),
      refusedWith: { status: 403, code: 'CHANNEL_SECRET_INVALID' },
    },
  },
});

runChannelModuleContract(openaiModule, {
  start: gatewayWithFakes(),
  probes: {
    models: {
      async accept(gateway, path) {
        const reply = await send(gateway, path, { method: 'GET', headers: bearer });
        expect(reply.body).toMatchObject({ object: 'list', data: [{ id: 'default' }] });
      },
      refuse: (gateway, path) => refusal(gateway, path, { method: 'GET' }),
      refusedWith: unauthenticated,
    },
    'chat-completions': {
      async accept(gateway, path) {
        const reply = await send(gateway, path, {
          headers: bearer,
          body: { model: 'default', messages: [{ role: 'user', content: 'hi' }] },
        });
        expect(reply.body).toMatchObject({ object: 'chat.completion' });
      },
      refuse: (gateway, path) =>
        refusal(gateway, path, {
          body: { model: 'default', messages: [{ role: 'user', content: 'hi' }] },
        }),
      refusedWith: unauthenticated,
    },
  },
});
