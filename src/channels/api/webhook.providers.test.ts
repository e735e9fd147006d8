import { afterEach, describe, expect, it } from 'vitest';
import type { FakeLlm } from '../../test-support/fake-llm.js';
import { startFakeAnthropic, startFakeOpenAI } from '../../test-support/fake-llm.js';
import {
  closeTestGateways,
  DEBUG_LOGS_TOML,
  handMadeToken,
  postMessage,
  send,
  startTestGateway,
} from '../../test-support/gateway-harness.js';
import type { TestGateway } from '../../test-support/gateway-harness.js';

const TOKEN = handMadeToken('d00d');
/** Looks like a real project key, so the sanitizer's patterns are exercised, not just an exact match. */
const API_KEY = 'sk-proj-Zx8Qw3Rt6Yu9Io1Pa4Sd7Fg0Hj2Kl5Zx8Cv3Bn6Mq9Wt1Ey4Ru7';
const fakes: FakeLlm[] = [];

afterEach(async () => {
  await closeTestGateways();
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

async function gatewayFor(fake: FakeLlm, extra = ''): Promise<TestGateway> {
  fakes.push(fake);
  return startTestGateway({
    toml: [
      `default_provider = "${fake.flavor}"`,
      'default_model = "model-under-test"',
      'default_temperature = 0.25',
      DEBUG_LOGS_TOML,
      '[agent]',
      'system_prompt = "Answer like a pirate."',
      '[gateway]',
      `paired_tokens = ["${TOKEN}"]`,
      extra,
      `[providers.${fake.flavor}]`,
      `base_url = "${fake.baseUrl}"`,
      `api_key = "${API_KEY}"`,
      '',
    ].join('\n'),
  });
}

describe('providers through POST /webhook', () => {
  it('chats through an OpenAI-compatible endpoint with the configured model, temperature and prompt', async () => {
    const fake = await startFakeOpenAI();
    const gateway = await gatewayFor(fake);
    const reply = await postMessage(gateway, 'ahoy', { token: TOKEN });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      response: 'fake openai: ahoy',
      model: 'model-under-test',
      agent: 'default',
    });

    const [request] = fake.requests;
    expect(request?.path).toBe('/v1/chat/completions');
    expect(request?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(request?.body).toMatchObject({
      model: 'model-under-test',
      temperature: 0.25,
      messages: [
        { role: 'system', content: 'Answer like a pirate.' },
        { role: 'user', content: 'ahoy' },
      ],
    });
  });

  it('chats through the Anthropic Messages API with x-api-key and no Authorization header', async () => {
    const fake = await startFakeAnthropic();
    const gateway = await gatewayFor(fake);
    const reply = await postMessage(gateway, 'ahoy', { token: TOKEN });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      response: 'fake anthropic: ahoy',
      model: 'model-under-test',
      agent: 'default',
    });

    const [request] = fake.requests;
    expect(request?.path).toBe('/v1/messages');
    expect(request?.headers['x-api-key']).toBe(API_KEY);
    expect(request?.headers['anthropic-version']).toBe('2023-06-01');
    expect(request?.headers.authorization).toBeUndefined();
    expect(request?.body).toMatchObject({
      model: 'model-under-test',
      temperature: 0.25,
      system: 'Answer like a pirate.',
      messages: [{ role: 'user', content: 'ahoy' }],
    });
  });

  it.each([
    ['openai', startFakeOpenAI],
    ['anthropic', startFakeAnthropic],
  ])(
    'answers an upstream %s 401 that echoes the key with a bare 500, and logs no key',
    async (_name, startFake) => {
      const fake = await startFake();
      const gateway = await gatewayFor(fake);
      fake.enqueue({ error: { status: 401, message: `Incorrect API key provided: ${API_KEY}` } });
      const reply = await postMessage(gateway, 'ahoy', { token: TOKEN });
      expect(reply.status).toBe(500);
      expect(reply.body).toEqual({
        error: 'LLM request failed',
        code: 'LLM_REQUEST_FAILED',
        request_id: expect.any(String),
      });

      const errorLines = gateway.logLines.filter((line) => JSON.parse(line).level >= 50);
      expect(errorLines.length).toBeGreaterThan(0);
      // The sanitized upstream detail is in the log, for the operator.
      expect(errorLines.join('\n')).toContain('401');
      for (const line of gateway.logLines) {
        expect(line).not.toContain(API_KEY);
        expect(line).not.toContain(API_KEY.slice(-24));
      }
    },
  );

  it('answers 408 when the LLM hangs past request_timeout_secs, and closes the upstream call', async () => {
    const fake = await startFakeOpenAI({ defaultScript: { delayMs: 60_000 } });
    const gateway = await gatewayFor(fake, 'request_timeout_secs = 1');
    const reply = await postMessage(gateway, 'are you there', { token: TOKEN });
    expect(reply.status).toBe(408);
    expect(reply.body).toEqual({ error: 'Request timed out', code: 'REQUEST_TIMEOUT' });
    const [request] = await fake.waitForRequests(1);
    // The fake sees its client go away: the request's AbortSignal reached the provider's fetch.
    await request?.clientClosed;
    expect(request?.closedByClient).toBe(true);
  });
});

describe('metrics after a webhook turn', () => {
  it('counts the LLM request by provider, model and outcome, and records the request latency', async () => {
    const gateway = await startTestGateway({ toml: `[gateway]\npaired_tokens = ["${TOKEN}"]\n` });
    expect((await postMessage(gateway, 'count me', { token: TOKEN })).status).toBe(200);
    const metrics = await send(gateway, '/metrics', { method: 'GET' });
    expect(metrics.status).toBe(200);
    const text = String(metrics.body.text);
    expect(text).toContain(
      'gatehouse_llm_requests_total{provider="echo",model="echo",success="true"} 1',
    );
    expect(text).toMatch(
      /^gatehouse_llm_request_duration_seconds_count\{provider="echo",model="echo"\} 1$/m,
    );
    expect(text).toMatch(/^gatehouse_request_latency_seconds_count\{route="\/webhook"\} 1$/m);
    expect(text).toContain(
      'gatehouse_agent_turns_total{agent="default",provider="echo",model="echo"} 1',
    );
  });

  it('counts a failed LLM request with success="false"', async () => {
    const fake = await startFakeOpenAI({ defaultScript: { error: { status: 503 } } });
    const gateway = await gatewayFor(fake);
    expect((await postMessage(gateway, 'fail me', { token: TOKEN })).status).toBe(500);
    const text = String((await send(gateway, '/metrics', { method: 'GET' })).body.text);
    expect(text).toContain(
      'gatehouse_llm_requests_total{provider="openai",model="model-under-test",success="false"} 1',
    );
  });
});
