import { readFileSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { telegramUpdate } from '../test-support/channel-payloads.js';
import {
  startChannelFakes,
  startChannelGateway,
  telegramSection,
  type ChannelFakes,
  type ChannelGateway,
} from '../test-support/channel-gateway.js';
import type { RecordedRequest } from '../test-support/fake-api-server.js';
import type { FakeLlm } from '../test-support/fake-llm.js';
import { startFakeOpenAI } from '../test-support/fake-llm.js';
import {
  closeTestGateways,
  handMadeToken,
  postMessage,
  startTestGateway,
} from '../test-support/gateway-harness.js';
import { ticketFor } from '../test-support/live-gateway.js';
import { ask, openSession, within } from '../test-support/ws-session.js';

/*
 * rate_limit and budget over real HTTP, a real WebSocket and the Telegram channel (fake Bot API):
 * 429 with Retry-After and RateLimit headers, WS error frames with retry_after, an async sender
 * dropped with one notice per window, and a token budget that survives a restart.
 */

const TOKEN = handMadeToken('11b1');
const fakes: FakeLlm[] = [];
let channels: ChannelFakes;
const channelGateways: ChannelGateway[] = [];

beforeAll(async () => {
  channels = await startChannelFakes();
});
afterAll(async () => {
  await channels.close();
});
afterEach(async () => {
  await closeTestGateways();
  for (const gateway of channelGateways.splice(0)) await gateway.cleanup();
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

async function limitedGateway(stages: string) {
  const fake = await startFakeOpenAI();
  fakes.push(fake);
  const gateway = await startTestGateway({
    toml: `
default_provider = "openai"
[gateway]
paired_tokens = ["${TOKEN}"]
[providers.openai]
base_url = "${fake.baseUrl}"
api_key = "sk-test"
${stages}
[[pipeline.inbound]]
name = "memory"
`,
  });
  return { fake, gateway };
}

const TWO_PER_MINUTE = `
[[pipeline.inbound]]
name = "rate_limit"
per_minute = 2
key = "subject"
`;

describe('rate_limit', () => {
  it('answers the third message in a minute with 429, Retry-After and RateLimit headers', async () => {
    const { fake, gateway } = await limitedGateway(TWO_PER_MINUTE);
    for (const text of ['one', 'two']) {
      expect((await postMessage(gateway, text, { token: TOKEN })).status).toBe(200);
    }
    const third = await postMessage(gateway, 'three', { token: TOKEN });
    expect(third.status).toBe(429);
    expect(third.body).toMatchObject({ code: 'RATE_LIMITED', retry_after: expect.any(Number) });
    const retryAfter = Number(third.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(third.headers.get('ratelimit-policy')).toBe('"rate_limit.subject.all";q=2;w=60');
    expect(third.headers.get('ratelimit')).toBe(`"rate_limit.subject.all";r=0;t=${retryAfter}`);
    expect(fake.requests).toHaveLength(2);
  });

  it('does not limit channels outside its channels filter', async () => {
    const { gateway } = await limitedGateway(`${TWO_PER_MINUTE}channels = ["slack"]\n`);
    for (const text of ['one', 'two', 'three']) {
      expect((await postMessage(gateway, text, { token: TOKEN })).status).toBe(200);
    }
  });

  it('sends a WebSocket error frame RATE_LIMITED with retryable and retry_after', async () => {
    const { gateway } = await limitedGateway(TWO_PER_MINUTE);
    const ticket = await ticketFor(gateway.url, TOKEN);
    const { client } = await openSession(
      `${gateway.url.replace(/^http/, 'ws')}/ws?ticket=${ticket}`,
    );
    await ask(client, 'm1', 'one');
    await ask(client, 'm2', 'two');
    client.send({ type: 'message', id: 'm3', text: 'three' });
    const frame = await within(client.next(), 5000, 'the error frame');
    expect(frame).toMatchObject({
      type: 'error',
      id: 'm3',
      code: 'RATE_LIMITED',
      retryable: true,
      retry_after: expect.any(Number),
    });
    client.ws.close();
  });
});

describe('budget', () => {
  const BUDGET = `
[[pipeline.inbound]]
name = "budget"
tokens_per_day = 30
`;

  it('refuses with 429 BUDGET_EXCEEDED once the day is used up, also after a restart, without calling the provider', async () => {
    const { fake, gateway } = await limitedGateway(BUDGET);
    fake.enqueue({ usage: { inputTokens: 10, outputTokens: 10 } });
    fake.enqueue({ usage: { inputTokens: 5, outputTokens: 6 } });
    expect((await postMessage(gateway, 'one', { token: TOKEN })).status).toBe(200);
    expect((await postMessage(gateway, 'two', { token: TOKEN })).status).toBe(200);
    const third = await postMessage(gateway, 'three', { token: TOKEN });
    expect(third.status).toBe(429);
    expect(third.body).toMatchObject({ code: 'BUDGET_EXCEEDED' });
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    const restarted = await gateway.restart();
    expect((await postMessage(restarted, 'four', { token: TOKEN })).body).toMatchObject({
      code: 'BUDGET_EXCEEDED',
    });
    expect(fake.requests).toHaveLength(2);
  });

  it('counts the usage a streamed reply reports (WebSocket)', async () => {
    const { fake, gateway } = await limitedGateway(BUDGET);
    fake.enqueue({ chunks: ['a ', 'b'], usage: { inputTokens: 20, outputTokens: 15 } });
    const ticket = await ticketFor(gateway.url, TOKEN);
    const { client } = await openSession(
      `${gateway.url.replace(/^http/, 'ws')}/ws?ticket=${ticket}`,
    );
    await ask(client, 'm1', 'stream me');
    client.send({ type: 'message', id: 'm2', text: 'again' });
    const frame = await within(client.next(), 5000, 'the error frame');
    expect(frame).toMatchObject({ type: 'error', id: 'm2', code: 'BUDGET_EXCEEDED' });
    expect(fake.requests).toHaveLength(1);
    client.ws.close();
  });
});

describe('limits on an async channel (Telegram)', () => {
  const USER = 333_000_333;
  let updateId = 9000;
  const sendMessages = (request: RecordedRequest) => request.path.endsWith('/sendMessage');
  const textOf = (request: RecordedRequest): string =>
    String((request.body as { text?: unknown } | undefined)?.text ?? '');

  async function telegramGateway(pipeline: Record<string, unknown>) {
    const gateway = await startChannelGateway({
      config: {
        channels_config: { telegram: telegramSection(channels) },
        pipeline,
      },
    });
    channelGateways.push(gateway);
    return gateway;
  }

  async function post(gateway: ChannelGateway, text: string) {
    updateId += 1;
    const answer = await gateway.postTelegram(
      JSON.stringify(telegramUpdate({ updateId, fromId: USER, text })),
    );
    expect(answer.status).toBe(200);
  }

  it('drops messages past the limit, acknowledged, with one notice per window', async () => {
    const before = channels.telegram.requests.filter(sendMessages).length;
    const gateway = await telegramGateway({
      inbound: [{ name: 'rate_limit', per_minute: 1, key: 'sender' }, 'idempotency'],
    });
    await post(gateway, 'first tg');
    await channels.telegram.waitForRequests(before + 1, sendMessages, 15_000);
    for (const text of ['second tg', 'third tg', 'fourth tg']) await post(gateway, text);
    await channels.telegram.waitForRequests(before + 2, sendMessages, 15_000);
    // Give the worker time to (wrongly) send more; the dropped ones must stay silent.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const sent = channels.telegram.requests.filter(sendMessages).slice(before).map(textOf);
    expect(sent).toEqual([
      'echo: first tg',
      'You are sending messages too fast; please wait a minute.',
    ]);
    expect(await gateway.channelMessages('telegram', 'dropped')).toBeGreaterThanOrEqual(2);
  });

  it('routes a Telegram message to the agent its rule names', async () => {
    const before = channels.telegram.requests.filter(sendMessages).length;
    const gateway = await startChannelGateway({
      config: {
        channels_config: { telegram: telegramSection(channels) },
        agents: { tg: { model: 'echo-tg' } },
        routing: { rules: [{ agent: 'tg', channel: 'telegram', sender: [String(USER)] }] },
      },
    });
    channelGateways.push(gateway);
    await post(gateway, 'route me');
    await channels.telegram.waitForRequests(before + 1, sendMessages, 15_000);
    const { text } = await gateway.request('/metrics');
    expect(text).toContain(
      'gatehouse_agent_turns_total{agent="tg",provider="echo",model="echo-tg"} 1',
    );
  });

  it('answers a blocked message with the content warning', async () => {
    const before = channels.telegram.requests.filter(sendMessages).length;
    const gateway = await telegramGateway({
      inbound: [
        {
          name: 'content_filter',
          block_patterns: ['forbidden'],
          action: 'reject',
          message: 'Not allowed here.',
        },
      ],
    });
    await post(gateway, 'something forbidden');
    const [reply] = (await channels.telegram.waitForRequests(before + 1, sendMessages, 15_000))
      .filter(sendMessages)
      .slice(before);
    expect(reply === undefined ? '' : textOf(reply)).toBe('Not allowed here.');
  });
});

describe('audit', () => {
  it('writes a 0600 JSON-lines file with ok, blocked and rate_limited turns and no token', async () => {
    const { gateway } = await limitedGateway(`
[[pipeline.outbound]]
name = "audit"
destination = "audit-dir/audit.jsonl"
include_token_claims = true
[[pipeline.inbound]]
name = "content_filter"
block_patterns = ["forbidden"]
[[pipeline.inbound]]
name = "rate_limit"
per_minute = 2
`);
    expect((await postMessage(gateway, 'hello', { token: TOKEN })).status).toBe(200);
    expect((await postMessage(gateway, 'forbidden', { token: TOKEN })).status).toBe(422);
    expect((await postMessage(gateway, 'again', { token: TOKEN })).status).toBe(200);
    expect((await postMessage(gateway, 'more', { token: TOKEN })).status).toBe(429);
    // Rotation: the file is moved away, reopen() starts a new one at the configured path.
    const path = join(gateway.home.dir, 'audit-dir', 'audit.jsonl');
    await new Promise((resolve) => setTimeout(resolve, 100));
    renameSync(path, `${path}.1`);
    gateway.handle.reopenAuditLog();
    expect((await postMessage(gateway, 'after rotation', { token: TOKEN })).status).toBe(429);
    await gateway.close();
    expect(readFileSync(path, 'utf8').split('\n').filter(Boolean)).toHaveLength(2);
    renameSync(`${path}.1`, path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain(TOKEN);
    const outbound = text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((record) => record.direction === 'outbound');
    expect(outbound.map((record) => [record.outcome, record.code])).toEqual([
      ['ok', undefined],
      ['blocked', 'CONTENT_BLOCKED'],
      ['ok', undefined],
      ['rate_limited', 'RATE_LIMITED'],
    ]);
    expect(outbound[0]).toMatchObject({
      channel: 'api',
      agent: 'default',
      claims: { sub: expect.any(String) },
    });
  });
});
