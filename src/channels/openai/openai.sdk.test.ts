import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeOpenAI } from '../../test-support/fake-llm.js';
import type { FakeLlm, FakeLlmScript } from '../../test-support/fake-llm.js';
import {
  closeTestGateways,
  handMadeToken,
  startTestGateway,
} from '../../test-support/gateway-harness.js';
import type { TestGateway } from '../../test-support/gateway-harness.js';
import { signJwt } from '../../test-support/hand-made-jwt.js';

/*
 * The OpenAI-compatible API driven by the official `openai` SDK, as users run it: base URL
 * `<gateway>/v1`, a paired token as the API key. The upstream is a fake OpenAI-compatible server.
 */

const TOKEN = handMadeToken('0a1b');
const JWT_SECRET = 'openai-channel-test-secret-0123456789abcdef';
const fakes: FakeLlm[] = [];

afterEach(async () => {
  await closeTestGateways();
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

async function start(options: { extra?: string; script?: FakeLlmScript; web?: string } = {}) {
  const fake = await startFakeOpenAI(
    options.script === undefined ? {} : { defaultScript: options.script },
  );
  fakes.push(fake);
  const gateway = await startTestGateway({
    toml: [
      'default_provider = "openai"',
      'default_model = "upstream-model"',
      '[agent]',
      'system_prompt = "You are the house agent."',
      '[gateway]',
      `paired_tokens = ["${TOKEN}"]`,
      options.extra ?? '',
      '[gateway.auth]',
      `jwt_secret = "${JWT_SECRET}"`,
      '[providers.openai]',
      `base_url = "${fake.baseUrl}"`,
      'api_key = "sk-upstream"',
      options.web ?? '',
      '',
    ].join('\n'),
  });
  return { fake, gateway };
}

function client(gateway: TestGateway, apiKey = TOKEN): OpenAI {
  return new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey, maxRetries: 0 });
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('OpenAI-compatible API with the official client', () => {
  it('lists each agent as a model', async () => {
    const { gateway } = await start();
    const page = await client(gateway).models.list();
    expect(page.data).toEqual([
      { id: 'default', object: 'model', created: expect.any(Number), owned_by: 'gatehouse' },
    ]);
  });

  it('answers a completion with usage, the agent prompt first, then the client conversation', async () => {
    const { fake, gateway } = await start();
    const completion = await client(gateway).chat.completions.create({
      model: 'default',
      messages: [
        { role: 'developer', content: 'Be brief.' },
        { role: 'user', content: 'first' },
        { role: 'assistant', content: 'noted' },
        { role: 'user', content: [{ type: 'text', text: 'hello there' }] },
      ],
      max_completion_tokens: 50,
      temperature: 0.5,
    });
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe('default');
    expect(completion.choices[0]?.message).toMatchObject({
      role: 'assistant',
      content: 'fake openai: hello there',
    });
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage?.total_tokens).toBeGreaterThan(0);
    expect(fake.requests[0]?.body).toMatchObject({
      model: 'upstream-model',
      temperature: 0.5,
      max_tokens: 50,
      messages: [
        { role: 'system', content: 'You are the house agent.' },
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'first' },
        { role: 'assistant', content: 'noted' },
        { role: 'user', content: 'hello there' },
      ],
    });
  });

  describe('the model names the agent', () => {
    const agents = [
      '[agents.terse]',
      'model = "terse-model"',
      'system_prompt = "Answer in one word."',
      '[[routing.rules]]',
      'agent = "default"',
      'text = "refund"',
    ].join('\n');

    it('answers with the agent the client named when no routing rule matches', async () => {
      const { fake, gateway } = await start({ extra: agents });
      const completion = await client(gateway).chat.completions.create({
        model: 'terse',
        messages: [{ role: 'user', content: 'hello' }],
      });
      expect(completion.model).toBe('terse');
      expect(fake.requests[0]?.body).toMatchObject({
        model: 'terse-model',
        messages: [
          { role: 'system', content: 'Answer in one word.' },
          { role: 'user', content: 'hello' },
        ],
      });
    });

    it('lets a matching routing rule win, and every chunk names the agent that answered', async () => {
      const { fake, gateway } = await start({ extra: agents, script: { chunks: ['a ', 'b'] } });
      const stream = await client(gateway).chat.completions.create({
        model: 'terse',
        messages: [{ role: 'user', content: 'I want a refund' }],
        stream: true,
      });
      const models = new Set<string>();
      for await (const chunk of stream) models.add(chunk.model);
      expect([...models]).toEqual(['default']);
      expect(fake.requests[0]?.body).toMatchObject({ model: 'upstream-model' });
    });
  });

  it('streams chunks, then a usage chunk when asked', async () => {
    const { gateway } = await start({ script: { chunks: ['one ', 'two ', 'three'] } });
    const stream = await client(gateway).chat.completions.create({
      model: 'default',
      messages: [{ role: 'user', content: 'count' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const deltas: string[] = [];
    const finishReasons: Array<string | null> = [];
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      expect(chunk.object).toBe('chat.completion.chunk');
      for (const choice of chunk.choices) {
        if (choice.delta.content) deltas.push(choice.delta.content);
        finishReasons.push(choice.finish_reason);
      }
      if (chunk.usage) usage = chunk.usage;
    }
    expect(deltas.join('')).toBe('one two three');
    expect(finishReasons.at(-1)).toBe('stop');
    expect(usage?.total_tokens).toBeGreaterThan(0);
  });

  it('stops the upstream stream when the client aborts mid-stream', async () => {
    const { fake, gateway } = await start({
      script: { chunks: ['partial '], hang: true },
      // After an abort the client's fetch opens a spare connection that never sends a request;
      // the handshake deadline is what closes such sockets, so keep it short for the shutdown.
      web: '[channels_config.web]\nhandshake_timeout_secs = 1',
    });
    const controller = new AbortController();
    const stream = await client(gateway).chat.completions.create(
      { model: 'default', messages: [{ role: 'user', content: 'go on' }], stream: true },
      { signal: controller.signal },
    );
    const received: string[] = [];
    const reading = (async () => {
      for await (const chunk of stream) {
        const text = chunk.choices[0]?.delta.content;
        if (text) {
          received.push(text);
          controller.abort();
        }
      }
    })();
    // The SDK ends the iteration (or throws APIUserAbortError) once its signal aborts.
    await reading.catch((error: unknown) => {
      expect(error).toBeInstanceOf(OpenAI.APIUserAbortError);
    });
    expect(received).toEqual(['partial ']);
    const [upstream] = await fake.waitForRequests(1);
    await upstream?.clientClosed;
    expect(upstream?.closedByClient).toBe(true);
  });

  it('replays the answer for a repeated Idempotency-Key without a second upstream call', async () => {
    const { fake, gateway } = await start();
    const body = { model: 'default', messages: [{ role: 'user' as const, content: 'once' }] };
    const options = { headers: { 'Idempotency-Key': 'order-1' } };
    const first = await client(gateway).chat.completions.create(body, options);
    const second = await client(gateway).chat.completions.create(body, options);
    expect(second.choices[0]?.message.content).toBe(first.choices[0]?.message.content);
    expect(fake.requests).toHaveLength(1);
  });

  it('replays a streamed answer for a repeated Idempotency-Key as one delta', async () => {
    const { fake, gateway } = await start();
    const body = {
      model: 'default',
      stream: true as const,
      messages: [{ role: 'user' as const, content: 'once, streamed' }],
    };
    const options = { headers: { 'Idempotency-Key': 'order-2' } };
    const read = async () => {
      const deltas: string[] = [];
      for await (const chunk of await client(gateway).chat.completions.create(body, options)) {
        const content = chunk.choices[0]?.delta.content;
        if (content) deltas.push(content);
      }
      return deltas;
    };
    const first = await read();
    const second = await read();
    expect(second).toEqual([first.join('')]);
    expect(fake.requests).toHaveLength(1);
  });

  describe('errors in OpenAI shape, raised as the SDK typed errors', () => {
    it('401 AuthenticationError for an unknown key', async () => {
      const { gateway } = await start();
      const error = await caught(client(gateway, handMadeToken('dead')).models.list());
      expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
      expect(error).toMatchObject({ status: 401, type: 'authentication_error' });
    });

    it('403 PermissionDeniedError for a JWT without channels:openai, accepted with it', async () => {
      const { gateway } = await start();
      const webOnly = await signJwt(JWT_SECRET, { expInSecs: 600, scope: 'channels:web' });
      const error = await caught(client(gateway, webOnly).models.list());
      expect(error).toBeInstanceOf(OpenAI.PermissionDeniedError);
      expect(error).toMatchObject({ status: 403, code: 'auth_insufficient_scope' });
      const scoped = await signJwt(JWT_SECRET, { expInSecs: 600, scope: 'channels:openai' });
      expect((await client(gateway, scoped).models.list()).data).toHaveLength(1);
    });

    it('404 NotFoundError with code model_not_found for an unknown model', async () => {
      const { fake, gateway } = await start();
      const error = await caught(
        client(gateway).chat.completions.create({
          model: 'gpt-nonexistent',
          messages: [{ role: 'user', content: 'hi' }],
        }),
      );
      expect(error).toBeInstanceOf(OpenAI.NotFoundError);
      expect(error).toMatchObject({ status: 404, code: 'model_not_found', param: 'model' });
      expect(fake.requests).toHaveLength(0);
    });

    it('400 BadRequestError for a content part that is not text', async () => {
      const { gateway } = await start();
      const error = await caught(
        client(gateway).chat.completions.create({
          model: 'default',
          messages: [
            {
              role: 'user',
              content: [{ type: 'image_url', image_url: { url: 'https://example.test/a.png' } }],
            },
          ],
        }),
      );
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect(error).toMatchObject({
        status: 400,
        type: 'invalid_request_error',
        param: 'messages[0].content[0]',
      });
    });

    it('413 for a body over gateway.max_body_bytes', async () => {
      const { gateway } = await start({ extra: 'max_body_bytes = 2048' });
      const error = await caught(
        client(gateway).chat.completions.create({
          model: 'default',
          messages: [{ role: 'user', content: 'x'.repeat(4096) }],
        }),
      );
      expect(error).toBeInstanceOf(OpenAI.APIError);
      expect(error).toMatchObject({ status: 413, code: 'payload_too_large' });
    });

    it('429 RateLimitError with Retry-After past the rate limit', async () => {
      const { gateway } = await start({ extra: 'webhook_rate_limit_per_minute = 1' });
      const body = { model: 'default', messages: [{ role: 'user' as const, content: 'hi' }] };
      await client(gateway).chat.completions.create(body);
      const error = await caught(client(gateway).chat.completions.create(body));
      expect(error).toBeInstanceOf(OpenAI.RateLimitError);
      expect(error).toMatchObject({ status: 429, type: 'rate_limit_error' });
      expect(
        Number((error as InstanceType<typeof OpenAI.APIError>).headers?.get('retry-after')),
      ).toBeGreaterThan(0);
    });

    it('502 InternalServerError when the upstream fails, with no upstream detail', async () => {
      const { gateway } = await start({
        script: { error: { status: 500, message: 'upstream secret detail sk-upstream' } },
      });
      const error = await caught(
        client(gateway).chat.completions.create({
          model: 'default',
          messages: [{ role: 'user', content: 'hi' }],
        }),
      );
      expect(error).toBeInstanceOf(OpenAI.InternalServerError);
      expect(error).toMatchObject({ status: 502, type: 'api_error', code: 'llm_request_failed' });
      expect(JSON.stringify((error as InstanceType<typeof OpenAI.APIError>).error)).not.toContain(
        'sk-upstream',
      );
    });

    it('404 NotFoundError in OpenAI shape when the channel is turned off', async () => {
      const { gateway } = await start({ extra: '[channels_config.openai]\nenabled = false' });
      const error = await caught(client(gateway).models.list());
      expect(error).toBeInstanceOf(OpenAI.NotFoundError);
      expect(error).toMatchObject({ code: 'channel_not_configured' });
    });
  });
});
