import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defaultFakeReply, startFakeAnthropic } from '../../test-support/fake-llm.js';
import type { FakeLlm } from '../../test-support/fake-llm.js';
import {
  contractRequest,
  drainStream,
  runProviderContract,
} from '../../test-support/provider-contract.js';
import { ProviderError } from '../types.js';
import { AnthropicProvider } from './anthropic-provider.js';

const KEY =
  'sk-ant-api03-Lp4Kd8Wq2Zx6Nv1Bc9Rt3Ym7Hs5Jf0Ga2Ue4Io6Pz8Qw1Er3Ty5Ui7Op9As2Df4Gh6Jk8Lz-Xc1VbAA';

runProviderContract('anthropic', async () => {
  const fake = await startFakeAnthropic();
  return {
    provider: new AnthropicProvider({ baseUrl: fake.baseUrl, apiKey: KEY }),
    expectedReply: (message) => defaultFakeReply('anthropic', message),
    close: () => fake.close(),
  };
});

describe('AnthropicProvider on the wire', () => {
  let fake: FakeLlm;
  let provider: AnthropicProvider;
  const signal = (): AbortSignal => new AbortController().signal;

  beforeAll(async () => {
    fake = await startFakeAnthropic();
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => {
    provider = new AnthropicProvider({ baseUrl: fake.baseUrl, apiKey: KEY, timeoutMs: 10_000 });
  });
  const lastRequest = () => fake.requests.at(-1);

  it('posts to {base_url}/v1/messages with x-api-key and anthropic-version, never Bearer', async () => {
    fake.enqueue({ usage: { inputTokens: 21, outputTokens: 4 } });
    const result = await provider.chat(contractRequest(provider, 'hi'), signal());
    const request = lastRequest();
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/v1/messages');
    expect(request?.headers['x-api-key']).toBe(KEY);
    expect(request?.headers['anthropic-version']).toBe('2023-06-01');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers.authorization).toBeUndefined();
    expect(result).toEqual({
      text: 'fake anthropic: hi',
      model: 'claude-sonnet-4-5',
      usage: { inputTokens: 21, outputTokens: 4 },
    });
  });

  it('puts system messages in the top-level system field, not in messages', async () => {
    await provider.chat(contractRequest(provider, 'hi'), signal());
    expect(lastRequest()?.body).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 64,
      system: 'You are a test.',
      messages: [
        { role: 'user', content: 'earlier question' },
        { role: 'assistant', content: 'earlier answer' },
        { role: 'user', content: 'hi' },
      ],
      temperature: 0.2,
      stream: false,
    });
  });

  it('omits system when there is none and caps temperature at Anthropic’s maximum of 1', async () => {
    await provider.chat(
      {
        model: 'claude-haiku-4-5',
        messages: [{ role: 'user', content: 'x' }],
        temperature: 1.7,
        maxTokens: 5,
      },
      signal(),
    );
    const body = lastRequest()?.body as Record<string, unknown>;
    expect(body).not.toHaveProperty('system');
    expect(body).toMatchObject({ model: 'claude-haiku-4-5', temperature: 1 });
  });

  it('sends the configured anthropic-version and strips a trailing slash from base_url', async () => {
    const custom = new AnthropicProvider({
      baseUrl: `${fake.baseUrl}/`,
      apiKey: KEY,
      anthropicVersion: '2024-10-22',
    });
    await custom.chat(contractRequest(custom), signal());
    expect(lastRequest()?.path).toBe('/v1/messages');
    expect(lastRequest()?.headers['anthropic-version']).toBe('2024-10-22');
  });

  it('requests a stream with stream: true and accepts text/event-stream', async () => {
    const { deltas } = await drainStream(provider.stream(contractRequest(provider), signal()));
    expect(deltas.join('')).toBe(defaultFakeReply('anthropic', 'please repeat these five words'));
    expect(lastRequest()?.headers.accept).toBe('text/event-stream');
    expect(lastRequest()?.body).toMatchObject({ stream: true });
  });

  it('turns a 401 error body into a sanitized ProviderError without the key', async () => {
    fake.enqueue({ error: { status: 401, message: `invalid x-api-key ${KEY}` } });
    const error = await provider.chat(contractRequest(provider), signal()).catch((e) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.message).toMatch(
      /^anthropic API error 401 \(authentication_error\): invalid x-api-key/,
    );
    expect(error.message).not.toContain(KEY);
    expect(error.message).not.toContain('Lp4Kd8');
    expect(error).toMatchObject({ status: 401, retryable: false });
  });

  it.each([
    { status: 429, retryable: true, label: 'rate_limit_error' },
    { status: 500, retryable: true, label: 'api_error' },
    { status: 529, retryable: true, label: 'overloaded_error' },
    { status: 400, retryable: false, label: 'invalid_request_error' },
  ])(
    'marks HTTP $status ($label) as retryable=$retryable',
    async ({ status, retryable, label }) => {
      fake.enqueue({ error: { status } });
      const error = await provider.chat(contractRequest(provider), signal()).catch((e) => e);
      expect(error).toMatchObject({ status, retryable });
      expect(error.message).toContain(`anthropic API error ${status} (${label})`);
    },
  );

  it('throws a retryable ProviderError when the connection breaks mid-stream', async () => {
    fake.enqueue({ chunks: ['one ', 'two ', 'three'], breakAfterChunks: 1 });
    const { deltas, error } = await drainStream(
      provider.stream(contractRequest(provider), signal()),
    );
    expect(deltas).toEqual(['one ']);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ retryable: true, aborted: false });
  });

  it('throws when the stream ends without message_stop', async () => {
    fake.enqueue({ chunks: ['partial'], omitTerminator: true });
    const { deltas, error } = await drainStream(
      provider.stream(contractRequest(provider), signal()),
    );
    expect(deltas).toEqual(['partial']);
    expect((error as Error).message).toBe('anthropic stream ended before message_stop');
  });

  it('throws a sanitized ProviderError on an error event', async () => {
    fake.enqueue({
      chunks: ['a'],
      streamError: { message: `Overloaded for ${KEY}`, type: 'overloaded_error' },
    });
    const { deltas, error } = await drainStream(
      provider.stream(contractRequest(provider), signal()),
    );
    expect(deltas).toEqual(['a']);
    expect(error).toMatchObject({ retryable: true });
    expect((error as Error).message).toMatch(
      /^anthropic stream error \(overloaded_error\): Overloaded for/,
    );
    expect((error as Error).message).not.toContain(KEY);
  });

  it('times out a stream that never ends and closes the connection', async () => {
    const slow = new AnthropicProvider({ baseUrl: fake.baseUrl, apiKey: KEY, timeoutMs: 300 });
    fake.enqueue({ chunks: ['stuck '], hang: true });
    const { deltas, error } = await drainStream(slow.stream(contractRequest(slow), signal()));
    expect(deltas).toEqual(['stuck ']);
    expect(error).toMatchObject({ aborted: false, retryable: true });
    expect((error as Error).message).toBe('anthropic request timed out after 300 ms');
    await lastRequest()?.clientClosed;
  });

  it('closes the upstream connection when the caller aborts a stream', async () => {
    fake.enqueue({ chunks: ['first '], hang: true });
    const controller = new AbortController();
    const stream = provider.stream(contractRequest(provider), controller.signal);
    const iterator = stream[Symbol.asyncIterator]();
    await expect(iterator.next()).resolves.toEqual({ done: false, value: 'first ' });
    const pending = iterator.next();
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'ProviderError', aborted: true });
    await lastRequest()?.clientClosed;
    expect(lastRequest()?.closedByClient).toBe(true);
  });
});
