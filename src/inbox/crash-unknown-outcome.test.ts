import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  CHANNEL_SECRETS,
  channelGatewayToml,
  slackSection,
  startChannelFakes,
  telegramSection,
  whatsappSection,
  type ChannelFakes,
} from '../test-support/channel-gateway.js';
import {
  signMeta,
  signSlack,
  slackEventCallback,
  telegramUpdate,
  whatsappWebhook,
} from '../test-support/channel-payloads.js';
import {
  buildCliIfStale,
  killAllCli,
  makeTempHome,
  runCli,
  startCli,
  type CliProcess,
  type TempHome,
} from '../test-support/gatehouse-process.js';

/*
 * A real gateway process is killed with SIGKILL after the platform took a reply but before its
 * answer arrived: the part is left `sending`, its outcome unknown. After a restart Slack finds the
 * part in the thread (message metadata) and does not post it again; WhatsApp and Telegram, which
 * cannot be asked, resend or skip it as `on_unknown_outcome` says.
 */

const WAIT_MS = 20_000;
let fakes: ChannelFakes;
let home: TempHome | undefined;

beforeAll(async () => {
  buildCliIfStale();
  fakes = await startChannelFakes();
}, 180_000);
afterAll(async () => {
  await fakes.close();
});
beforeEach(() => {
  fakes.graph.requests.length = 0;
  fakes.slack.requests.length = 0;
  fakes.telegram.requests.length = 0;
});
afterEach(async () => {
  await killAllCli();
  home?.cleanup();
  home = undefined;
});

type Channel = 'whatsapp' | 'slack' | 'telegram';

interface ChannelDriver {
  section(overrides: Record<string, unknown>): Record<string, unknown>;
  hangNextSend(): void;
  post(url: string, id: number, text: string): Promise<Response>;
  /** Texts the platform received as replies. */
  replies(): string[];
}

const json = { 'content-type': 'application/json' };

const drivers: Record<Channel, ChannelDriver> = {
  whatsapp: {
    section: (overrides) => whatsappSection(fakes, overrides),
    hangNextSend: () => fakes.graph.failNext(1, { hang: true }),
    post: (url, id, text) => {
      const body = JSON.stringify(
        whatsappWebhook([[{ from: '15550000001', id: `wamid.u${id}`, text }]]),
      );
      const signature = signMeta(body, CHANNEL_SECRETS.whatsappAppSecret);
      return fetch(`${url}/whatsapp`, {
        method: 'POST',
        headers: { ...json, 'x-hub-signature-256': signature },
        body,
      });
    },
    replies: () => fakes.graph.sent().map((sent) => sent.body),
  },
  slack: {
    section: (overrides) => slackSection(fakes, overrides),
    hangNextSend: () => fakes.slack.failNext(1, { hang: true }),
    post: (url, id, text) => {
      const body = JSON.stringify(
        slackEventCallback({ eventId: `Ev${id}`, user: 'U0USER1', text, ts: `1700000001.${id}` }),
      );
      const ts = Math.floor(Date.now() / 1000);
      return fetch(`${url}/slack/events`, {
        method: 'POST',
        headers: {
          ...json,
          'x-slack-request-timestamp': String(ts),
          'x-slack-signature': signSlack(body, CHANNEL_SECRETS.slackSigningSecret, ts),
        },
        body,
      });
    },
    replies: () => fakes.slack.posted().map((posted) => posted.text),
  },
  telegram: {
    section: (overrides) => telegramSection(fakes, overrides),
    hangNextSend: () => fakes.telegram.failNext(1, { hang: true }, 'sendMessage'),
    post: (url, id, text) =>
      fetch(`${url}/telegram`, {
        method: 'POST',
        headers: {
          ...json,
          'x-telegram-bot-api-secret-token': CHANNEL_SECRETS.telegramSecretToken,
        },
        body: JSON.stringify(telegramUpdate({ updateId: id, fromId: 4242, text })),
      }),
    replies: () => fakes.telegram.sentMessages().map((sent) => sent.text),
  },
};

async function startGatewayProcess(): Promise<CliProcess & { url: string }> {
  if (home === undefined) throw new Error('no home');
  return startCli(['--config', home.configPath], home.env);
}

async function sigkill(gateway: CliProcess): Promise<void> {
  gateway.child.kill('SIGKILL');
  expect(await gateway.exited).toBe('SIGKILL');
}

async function eventually(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function inboxCounts(): Promise<Record<string, number>> {
  if (home === undefined) throw new Error('no home');
  const result = await runCli(['inbox', '--config', home.configPath, '--json'], home.env);
  return JSON.parse(result.stdout) as Record<string, number>;
}

describe('kill -9 between a send and its answer', { timeout: 60_000 }, () => {
  it.each<{ channel: Channel; policy?: 'resend' | 'skip'; copies: number; unknown: number }>([
    { channel: 'slack', copies: 1, unknown: 0 },
    { channel: 'whatsapp', policy: 'resend', copies: 2, unknown: 0 },
    { channel: 'whatsapp', policy: 'skip', copies: 1, unknown: 1 },
    { channel: 'telegram', policy: 'resend', copies: 2, unknown: 0 },
    { channel: 'telegram', policy: 'skip', copies: 1, unknown: 1 },
  ])(
    '$channel ($policy): the reply reaches the platform $copies time(s)',
    async ({ channel, policy, copies, unknown }) => {
      const driver = drivers[channel];
      home = makeTempHome(
        channelGatewayToml({
          observability: { log_level: 'warn' },
          // A short lease: the killed owner's item is claimed again one second later.
          inbox: { lease_secs: 1 },
          channels_config: {
            [channel]: driver.section(policy === undefined ? {} : { on_unknown_outcome: policy }),
          },
        }),
      );
      const reply = 'echo: question in flight';
      driver.hangNextSend();
      const first = await startGatewayProcess();
      expect((await driver.post(first.url, 101, 'question in flight')).status).toBe(200);
      await eventually(() => driver.replies().includes(reply), 'the platform to take the reply');
      await sigkill(first);

      const second = await startGatewayProcess();
      // The same conversation is answered in order: once this reply is out, the first is settled.
      expect((await driver.post(second.url, 102, 'barrier')).status).toBe(200);
      await eventually(() => driver.replies().includes('echo: barrier'), 'the barrier reply');
      expect(driver.replies().filter((text) => text === reply)).toHaveLength(copies);
      if (channel === 'slack') expect(fakes.slack.repliesCalls().length).toBeGreaterThan(0);
      expect(await inboxCounts()).toMatchObject({ done: 2, dead: 0, unknown });
      const metrics = await (await fetch(`${second.url}/metrics`)).text();
      expect(metrics).toContain(`gatehouse_inbox_unknown_outcomes_total{channel="${channel}"} 1`);
    },
  );
});
