import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'smol-toml';
import type { Env } from '../config/paths.js';
import { startGateway, type GatewayHandle } from '../main.js';
import { signMeta, signSlack } from './channel-payloads.js';
import { startFakeGraphApi, type FakeGraphApi } from './fake-graph-api.js';
import { startFakeSlackApi, type FakeSlackApi } from './fake-slack-api.js';
import { startFakeTelegramApi, type FakeTelegramApi } from './fake-telegram-api.js';

/*
 * The real gateway (`startGateway`, in-process, real HTTP on 127.0.0.1:0) wired to fake platform
 * APIs, for end-to-end channel tests: signed webhook in, reply observed at the fake.
 */

/** The secrets every channel test config uses. */
export const CHANNEL_SECRETS = {
  whatsappAppSecret: 'wa-app-secret-for-tests',
  whatsappVerifyToken: 'wa-verify-token',
  whatsappAccessToken: 'wa-access-token',
  whatsappPhoneNumberId: '123456789',
  slackSigningSecret: 'slack-signing-secret',
  slackBotToken: 'xoxb-test-bot-token',
  telegramBotToken: '123456:TEST-bot-token',
  telegramSecretToken: 'tg-secret-token',
} as const;

/** The three fake platform APIs. */
export interface ChannelFakes {
  graph: FakeGraphApi;
  slack: FakeSlackApi;
  telegram: FakeTelegramApi;
  close(): Promise<void>;
}

/** Starts the fake Graph, Slack and Telegram APIs; each only accepts the test credentials. */
export async function startChannelFakes(): Promise<ChannelFakes> {
  const graph = await startFakeGraphApi({ accessToken: CHANNEL_SECRETS.whatsappAccessToken });
  const slack = await startFakeSlackApi({ botToken: CHANNEL_SECRETS.slackBotToken });
  const telegram = await startFakeTelegramApi({ botToken: CHANNEL_SECRETS.telegramBotToken });
  return {
    graph,
    slack,
    telegram,
    async close() {
      await Promise.all([graph.close(), slack.close(), telegram.close()]);
    },
  };
}

type Section = Record<string, unknown>;

/** Applies overrides; an override of `null` removes the key (an unset secret). */
function withOverrides(base: Section, overrides: Section): Section {
  const merged: Section = { ...base, ...overrides };
  for (const [key, value] of Object.entries(merged)) if (value === null) delete merged[key];
  return merged;
}

/** `[channels_config.whatsapp]` pointing at the fake Graph API. */
export function whatsappSection(fakes: ChannelFakes, overrides: Section = {}): Section {
  return withOverrides(
    {
      access_token: CHANNEL_SECRETS.whatsappAccessToken,
      phone_number_id: CHANNEL_SECRETS.whatsappPhoneNumberId,
      verify_token: CHANNEL_SECRETS.whatsappVerifyToken,
      app_secret: CHANNEL_SECRETS.whatsappAppSecret,
      allowed_numbers: ['*'],
      api_base_url: fakes.graph.url,
      api_version: 'v21.0',
    },
    overrides,
  );
}

/** `[channels_config.slack]` pointing at the fake Slack API. */
export function slackSection(fakes: ChannelFakes, overrides: Section = {}): Section {
  return withOverrides(
    {
      bot_token: CHANNEL_SECRETS.slackBotToken,
      signing_secret: CHANNEL_SECRETS.slackSigningSecret,
      allowed_users: ['*'],
      api_base_url: fakes.slack.url,
    },
    overrides,
  );
}

/** `[channels_config.telegram]` (webhook mode unless overridden) pointing at the fake Bot API. */
export function telegramSection(fakes: ChannelFakes, overrides: Section = {}): Section {
  return withOverrides(
    {
      bot_token: CHANNEL_SECRETS.telegramBotToken,
      secret_token: CHANNEL_SECRETS.telegramSecretToken,
      allowed_users: ['*'],
      mode: 'webhook',
      poll_timeout_secs: 1,
      api_base_url: fakes.telegram.url,
    },
    overrides,
  );
}

/** A test gateway config: loopback on port 0, silent logs, fast inbox retries, plus `config`. */
export function channelGatewayToml(config: Section): string {
  const base: Section = {
    gateway: { host: '127.0.0.1', port: 0 },
    observability: { log_level: 'silent' },
    inbox: { concurrency: 4, max_attempts: 5, retry_base_ms: 20, retry_max_ms: 200 },
  };
  const merged: Section = { ...base };
  for (const [key, value] of Object.entries(config)) {
    const previous = merged[key];
    merged[key] =
      isSection(previous) && isSection(value) ? { ...previous, ...value } : (value as unknown);
  }
  return stringify(merged);
}

function isSection(value: unknown): value is Section {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An HTTP answer from the gateway. */
export interface GatewayAnswer {
  status: number;
  contentType: string;
  text: string;
  /** Parsed JSON, or undefined. */
  json: unknown;
}

/** A running in-process gateway in its own temporary home. */
export interface ChannelGateway {
  readonly url: string;
  readonly home: string;
  readonly configPath: string;
  readonly handle: GatewayHandle;
  request(
    path: string,
    init?: { method?: string; body?: string; headers?: Record<string, string> },
  ): Promise<GatewayAnswer>;
  /** POSTs `body` to /whatsapp signed with `secret` (default: the configured app secret). */
  postWhatsApp(body: string, secret?: string): Promise<GatewayAnswer>;
  /** POSTs `body` to /slack/events signed at epoch seconds `ts` (default: now). */
  postSlack(body: string, options?: { ts?: number; secret?: string }): Promise<GatewayAnswer>;
  /** POSTs `body` to /telegram with the secret header (default: the configured token). */
  postTelegram(body: string, secret?: string): Promise<GatewayAnswer>;
  /** The value of `gatehouse_channel_messages_total{channel,direction}` (0 when absent). */
  channelMessages(channel: string, direction: string): Promise<number>;
  /**
   * Graceful close, then a new gateway on the same config and home (a restart); `whileStopped`
   * runs in between, e.g. to rewind a persisted cursor as a crash would have left it.
   */
  restart(whileStopped?: () => Promise<void>): Promise<void>;
  /** Closes the gateway (idempotent); the home is removed by `cleanup`. */
  close(): Promise<void>;
  /** Closes and removes the temporary home. */
  cleanup(): Promise<void>;
}

export interface ChannelGatewayOptions {
  /** Config sections merged over the test defaults (see `channelGatewayToml`). */
  config: Section;
  /** Environment the gateway sees (GATEHOUSE_HOME is set to the temporary home). */
  env?: Env;
}

/** Writes the config into a fresh temporary home and starts the gateway there. */
export async function startChannelGateway(options: ChannelGatewayOptions): Promise<ChannelGateway> {
  const home = mkdtempSync(join(tmpdir(), 'gatehouse-channels-'));
  const configPath = join(home, 'config.toml');
  writeFileSync(configPath, channelGatewayToml(options.config), { mode: 0o600 });
  const env: Env = { ...options.env, GATEHOUSE_HOME: home };
  const launch = () => startGateway({ configPath, env, stdout: { write: () => true } });
  let handle: GatewayHandle;
  try {
    handle = await launch();
  } catch (error) {
    rmSync(home, { recursive: true, force: true });
    throw error;
  }
  let closed = false;

  const request: ChannelGateway['request'] = async (path, init = {}) => {
    const response = await fetch(`${handle.url}${path}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: init.headers,
      body: init.body,
    });
    const text = await response.text();
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      text,
      json: parseJson(text),
    };
  };
  const json = { 'content-type': 'application/json' };

  const gateway: ChannelGateway = {
    get url() {
      return handle.url;
    },
    home,
    configPath,
    get handle() {
      return handle;
    },
    request,
    postWhatsApp(body, secret = CHANNEL_SECRETS.whatsappAppSecret) {
      return request('/whatsapp', {
        body,
        headers: { ...json, 'x-hub-signature-256': signMeta(body, secret) },
      });
    },
    postSlack(body, slackOptions = {}) {
      const ts = slackOptions.ts ?? Math.floor(Date.now() / 1000);
      const secret = slackOptions.secret ?? CHANNEL_SECRETS.slackSigningSecret;
      return request('/slack/events', {
        body,
        headers: {
          ...json,
          'x-slack-request-timestamp': String(ts),
          'x-slack-signature': signSlack(body, secret, ts),
        },
      });
    },
    postTelegram(body, secret = CHANNEL_SECRETS.telegramSecretToken) {
      return request('/telegram', {
        body,
        headers: { ...json, 'x-telegram-bot-api-secret-token': secret },
      });
    },
    async channelMessages(channel, direction) {
      const { text } = await request('/metrics');
      const line = text
        .split('\n')
        .find((row) =>
          row.startsWith(
            `gatehouse_channel_messages_total{channel="${channel}",direction="${direction}"} `,
          ),
        );
      return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
    },
    async restart(whileStopped) {
      await handle.close();
      await whileStopped?.();
      handle = await launch();
    },
    async close() {
      if (closed) return;
      closed = true;
      await handle.close();
    },
    async cleanup() {
      await gateway.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
  return gateway;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Plain-text answers (the WhatsApp challenge, /metrics) are read from `text`.
    return undefined;
  }
}
