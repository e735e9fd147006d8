import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeLlm } from '../test-support/fake-llm.js';
import { startFakeOpenAI } from '../test-support/fake-llm.js';
import {
  buildCliIfStale,
  killAllCli,
  makeTempHome,
  type TempHome,
} from '../test-support/gatehouse-process.js';
import type { LiveGateway } from '../test-support/live-gateway.js';
import {
  eventually,
  issueToken,
  postWebhook,
  startLiveGateway,
} from '../test-support/live-gateway.js';
import type { TestWsClient } from '../test-support/ws-client.js';
import { ask, openSession, readReply, within } from '../test-support/ws-session.js';

/*
 * Providers, agents, routing rules and pipeline stages change on reload (`gatehouse reload` or
 * SIGHUP) in one running gateway, while one WebSocket opened before the first reload stays
 * connected and keeps answering, and a turn already streaming finishes on its old agent.
 */

let llm: FakeLlm;
let home: TempHome;
let live: LiveGateway;
let token: string;
let session: TestWsClient;
let turn = 0;

function configToml(parts: { top?: string; sections?: string } = {}): string {
  return [
    parts.top ?? '',
    '[gateway]',
    'host = "127.0.0.1"',
    'port = 0',
    '[observability]',
    'log_level = "info"',
    '[channels_config.web]',
    'allowed_origins = []',
    parts.sections ?? '',
    '',
  ].join('\n');
}

/** `[providers.fake]` on the fake LLM and `[agents.<name>]` calling it, routed by `^<name>`. */
function fakeAgent(name: string): string {
  return [
    '[providers.fake]',
    'type = "openai"',
    `base_url = "${llm.baseUrl}"`,
    'api_key = "sk-test"',
    `[agents.${name}]`,
    'provider = "fake"',
    `model = "gpt-${name}"`,
    '[[routing.rules]]',
    `agent = "${name}"`,
    `text = "^${name}"`,
  ].join('\n');
}

async function reloadWith(toml: string): Promise<string[]> {
  writeFileSync(home.configPath, toml);
  const result = await live.cli(['reload']);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return result.stdout.trimEnd().split('\n');
}

function reloadsLogged(): number {
  return live.process.stdout().match(/"msg":"config reloaded"/g)?.length ?? 0;
}

async function sighupWith(toml: string): Promise<void> {
  const before = reloadsLogged();
  writeFileSync(home.configPath, toml);
  live.process.child.kill('SIGHUP');
  await eventually(async () => reloadsLogged() > before, 'the SIGHUP reload', 10_000);
}

/** The WebSocket opened before every reload still answers, on the default agent. */
async function expectSessionStillAnswers(): Promise<void> {
  turn += 1;
  const { done } = await ask(session, `still-${turn}`, `still here ${turn}`);
  expect(done).toMatchObject({ response: `echo: still here ${turn}`, agent: 'default' });
}

async function getJson(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${live.url}${path}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function chatCompletion(model: string, text: string) {
  const response = await fetch(`${live.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: text }] }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  buildCliIfStale();
  llm = await startFakeOpenAI();
  home = makeTempHome(configToml());
  live = await startLiveGateway(home);
  // SIGHUP handlers are installed once start-up has logged its last line.
  await within(live.process.waitFor(/"msg":"gateway started"/), 10_000, 'start-up');
  ({ token } = await issueToken(live, 'channels:web channels:api channels:openai'));
  ({ client: session } = await openSession(`${live.wsUrl}/ws`, {
    headers: { authorization: `Bearer ${token}` },
  }));
  await expectSessionStillAnswers();
}, 180_000);

afterAll(async () => {
  session.ws.close();
  await killAllCli();
  await llm.close();
  home.cleanup();
});

describe('reload of the message path', { timeout: 60_000 }, () => {
  it('adds a provider and an agent: /v1/models lists it and a routing rule reaches it', async () => {
    expect((await getJson('/v1/models')).body.data).toEqual([
      expect.objectContaining({ id: 'default' }),
    ]);
    expect((await chatCompletion('helper', 'hi')).status).toBe(404);

    const applied = await reloadWith(configToml({ sections: fakeAgent('helper') }));
    expect(applied).toEqual([
      'applied: agents.helper',
      'applied: providers.fake',
      'applied: routing.rules',
    ]);

    const models = (await getJson('/v1/models')).body.data as Array<{ id: string }>;
    expect(models.map((model) => model.id)).toEqual(['default', 'helper']);
    expect(await chatCompletion('helper', 'helper via the API')).toMatchObject({
      status: 200,
      body: {
        model: 'helper',
        choices: [{ message: { content: 'fake openai: helper via the API' } }],
      },
    });
    // The session opened before the reload is routed by the new rule, to the new provider.
    turn += 1;
    expect((await ask(session, `routed-${turn}`, 'helper, please')).done).toMatchObject({
      response: 'fake openai: helper, please',
      agent: 'helper',
      model: 'gpt-helper',
    });
    await expectSessionStillAnswers();
  });

  it('changes a routing rule on SIGHUP; a turn streaming on the removed agent finishes', async () => {
    await reloadWith(configToml({ sections: fakeAgent('slow') }));
    llm.enqueue({ chunks: ['one ', 'two ', 'three'], chunkDelayMs: 400 });
    session.send({ type: 'message', id: 'in-flight', text: 'slow and steady' });
    const first = await within(session.next(), 10_000, 'the first chunk');
    expect(first).toMatchObject({ type: 'chunk', id: 'in-flight', delta: 'one ' });

    // The agent, its provider and its rule disappear; a new rule sends `^slow` to `quick`.
    const quick = ['[agents.quick]', '[[routing.rules]]', 'agent = "quick"', 'text = "^slow"'];
    await sighupWith(configToml({ sections: quick.join('\n') }));

    const rest = await readReply(session, 'in-flight');
    expect(['one ', ...rest.deltas].join('')).toBe('one two three');
    expect(rest.done).toMatchObject({ response: 'one two three', agent: 'slow' });
    turn += 1;
    expect((await ask(session, `quick-${turn}`, 'slow again')).done).toMatchObject({
      response: 'echo: slow again',
      agent: 'quick',
    });
    const models = (await getJson('/v1/models')).body.data as Array<{ id: string }>;
    expect(models.map((model) => model.id)).toEqual(['default', 'quick']);
    await expectSessionStillAnswers();
  });

  it('adds content_filter, rate_limit, budget and audit stages, then removes them', async () => {
    const auditFile = join(home.dir, 'audit', 'hot.jsonl');
    expect((await postWebhook(live.url, token, 'forbidden words')).status).toBe(200);
    expect(existsSync(auditFile)).toBe(false);

    const pipeline = [
      '[[pipeline.inbound]]',
      'name = "audit"',
      'destination = "audit/hot.jsonl"',
      'include_message_body = true',
      '[[pipeline.inbound]]',
      'name = "content_filter"',
      'block_patterns = ["forbidden"]',
      '[[pipeline.inbound]]',
      'name = "rate_limit"',
      'per_minute = 1',
      'channels = ["api"]',
      '[[pipeline.inbound]]',
      'name = "budget"',
      'tokens_per_day = 1',
      'channels = ["openai"]',
      '[[pipeline.inbound]]',
      'name = "idempotency"',
      '[[pipeline.inbound]]',
      'name = "memory"',
    ].join('\n');
    expect(await reloadWith(configToml({ sections: pipeline }))).toContain(
      'applied: pipeline.inbound',
    );

    session.send({ type: 'message', id: 'blocked', text: 'something forbidden' });
    expect(await within(session.next(), 10_000, 'the refusal')).toMatchObject({
      type: 'error',
      id: 'blocked',
      code: 'CONTENT_BLOCKED',
    });
    expect(await postWebhook(live.url, token, 'forbidden words')).toMatchObject({
      status: 422,
      body: { code: 'CONTENT_BLOCKED' },
    });
    expect((await postWebhook(live.url, token, 'audited text')).status).toBe(200);
    expect(await postWebhook(live.url, token, 'one too many')).toMatchObject({
      status: 429,
      body: { code: 'RATE_LIMITED' },
    });
    expect((await chatCompletion('default', 'spend the budget')).status).toBe(200);
    expect(await chatCompletion('default', 'over budget')).toMatchObject({
      status: 429,
      body: { error: { code: 'budget_exceeded' } },
    });
    await eventually(
      async () => existsSync(auditFile) && readFileSync(auditFile, 'utf8').includes('audited text'),
      'the audit record of the new turn',
    );
    await expectSessionStillAnswers();

    // Back to the default pipeline: nothing is filtered or limited any more.
    await sighupWith(configToml());
    expect((await postWebhook(live.url, token, 'forbidden words')).status).toBe(200);
    expect((await postWebhook(live.url, token, 'unlimited')).status).toBe(200);
    expect((await chatCompletion('default', 'no budget')).status).toBe(200);
    await expectSessionStillAnswers();
  });
});
