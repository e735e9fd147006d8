import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CHANNEL_SECRETS, channelGatewayToml } from '../test-support/channel-gateway.js';
import { signMeta, whatsappWebhook } from '../test-support/channel-payloads.js';
import type { RecordedRequest } from '../test-support/fake-api-server.js';
import { startFakeGraphApi, type FakeGraphApi } from '../test-support/fake-graph-api.js';
import { startFakeOpenAI, type FakeLlm, type FakeLlmRequest } from '../test-support/fake-llm.js';
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
 * A real gateway process, killed with SIGKILL (no shutdown hook runs) while a channel message is
 * in flight, then started again on the same home: the reply must reach the platform exactly once.
 */

const WAIT_MS = 20_000;
const SENDER = '15550000001';

let graph: FakeGraphApi;
let llm: FakeLlm;
let home: TempHome;

beforeAll(() => {
  buildCliIfStale();
}, 180_000);

beforeEach(async () => {
  graph = await startFakeGraphApi({ accessToken: CHANNEL_SECRETS.whatsappAccessToken });
  llm = await startFakeOpenAI();
  home = makeTempHome(
    channelGatewayToml({
      default_provider: 'openai',
      providers: { openai: { base_url: llm.baseUrl, api_key: 'sk-test-key' } },
      observability: { log_level: 'warn' },
      // A short lease: a killed owner's items are claimed again after it expires.
      inbox: { max_attempts: 50, retry_base_ms: 50, retry_max_ms: 200, lease_secs: 1 },
      channels_config: {
        whatsapp: {
          access_token: CHANNEL_SECRETS.whatsappAccessToken,
          phone_number_id: CHANNEL_SECRETS.whatsappPhoneNumberId,
          app_secret: CHANNEL_SECRETS.whatsappAppSecret,
          allowed_numbers: ['*'],
          api_base_url: graph.url,
        },
      },
    }),
  );
});

afterEach(async () => {
  await killAllCli();
  await graph.close();
  await llm.close();
  home.cleanup();
});

async function startGatewayProcess(): Promise<CliProcess & { url: string }> {
  return startCli(['--config', home.configPath], home.env);
}

async function postMessage(url: string, id: string, text: string): Promise<void> {
  const body = JSON.stringify(whatsappWebhook([[{ from: SENDER, id, text }]]));
  const response = await fetch(`${url}/whatsapp`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-hub-signature-256': signMeta(body, CHANNEL_SECRETS.whatsappAppSecret),
    },
    body,
  });
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ status: 'ok', accepted: 1, duplicates: 0 });
}

async function sigkill(gateway: CliProcess): Promise<void> {
  gateway.child.kill('SIGKILL');
  expect(await gateway.exited).toBe('SIGKILL');
}

const repliesTo = (marker: string) => (request: RecordedRequest) =>
  request.rawBody.includes(marker);

/** LLM calls whose newest user message is `text` (earlier turns ride along as history). */
const asksAbout = (text: string) => (request: FakeLlmRequest) => {
  const body = request.body as { messages?: Array<{ role: string; content: unknown }> };
  return body.messages?.findLast((message) => message.role === 'user')?.content === text;
};

/**
 * Sends another message from the same sender and waits for its reply. The inbox answers a
 * conversation in order, so a second copy of an earlier reply would have been sent before it.
 */
async function barrier(url: string): Promise<void> {
  await postMessage(url, 'wamid.barrier', 'barrier message');
  await graph.waitForRequests(1, repliesTo('barrier message'), WAIT_MS);
}

describe('crash recovery with a real, SIGKILLed gateway process', () => {
  it('delivers the reply exactly once after a kill while the agent call was in flight', async () => {
    // The first LLM call never answers: the message is accepted and stays in processing.
    llm.enqueue({ delayMs: 10 * 60_000 });
    const first = await startGatewayProcess();
    await postMessage(first.url, 'wamid.crash1', 'question before the crash');
    await llm.waitForRequests(1);
    await sigkill(first);
    expect(graph.requests).toHaveLength(0);

    const second = await startGatewayProcess();
    const [reply] = await graph.waitForRequests(1, repliesTo('question before the crash'), WAIT_MS);
    expect(reply?.body).toMatchObject({
      to: SENDER,
      text: { body: 'fake openai: question before the crash' },
    });
    await barrier(second.url);
    expect(graph.requests.filter(repliesTo('question before the crash'))).toHaveLength(1);
    // Asked twice: the hung call died with the process, the recovered item asked again.
    expect(llm.requests.filter(asksAbout('question before the crash'))).toHaveLength(2);

    const inbox = await runCli(['inbox', '--config', home.configPath, '--json'], home.env);
    expect(inbox.code).toBe(0);
    expect(JSON.parse(inbox.stdout)).toMatchObject({
      pending: 0,
      processing: 0,
      dead: 0,
      done: 2,
    });
    // Message text at rest: owner-only, like the other stores.
    expect(statSync(join(home.dir, 'inbox.db')).mode & 0o777).toBe(0o600);
  });

  it('redelivers the saved reply once, without asking the agent again, after a kill before delivery', async () => {
    // The platform is down until after the crash: the reply is produced and saved, never delivered.
    graph.failNext(10_000, { status: 500 });
    const first = await startGatewayProcess();
    await postMessage(first.url, 'wamid.crash2', 'question with a saved reply');
    await graph.waitForRequests(2, repliesTo('question with a saved reply'), WAIT_MS);
    await sigkill(first);
    graph.clearFailures();
    const failedAttempts = graph.requests.filter(repliesTo('question with a saved reply')).length;

    const second = await startGatewayProcess();
    await graph.waitForRequests(
      failedAttempts + 1,
      repliesTo('question with a saved reply'),
      WAIT_MS,
    );
    await barrier(second.url);
    const attempts = graph.requests.filter(repliesTo('question with a saved reply'));
    // Every attempt before the kill got a 500; exactly one after the restart succeeded.
    expect(attempts).toHaveLength(failedAttempts + 1);
    expect(attempts.at(-1)?.body).toMatchObject({
      text: { body: 'fake openai: question with a saved reply' },
    });
    expect(llm.requests.filter(asksAbout('question with a saved reply'))).toHaveLength(1);
  });
});
