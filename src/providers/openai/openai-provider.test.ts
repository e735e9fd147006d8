import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defaultFakeReply, startFakeOpenAI } from '../../test-support/fake-llm.js';
import type { FakeLlm } from '../../test-support/fake-llm.js';
import {
  contractRequest,
  drainStream,
  runProviderContract,
} from '../../test-support/provider-contract.js';
import { ProviderError } from '../types.js';
import { OpenAiProvider } from './openai-provider.js';

const KEY = 'sk-proj-Zq8Wx3Lm5Nv7Bc2Rt9Yk4Hp6Jd1Fs0Ga3Ue8Io5Pz7Qw2Er9Ty4Ui6Op1As3Df5Gh7';

runProviderContract('openai', async () => {
  const fake = await startFakeOpenAI();
  return {
    provider: new OpenAiProvider({ baseUrl: fake.baseUrl, apiKey: KEY }),
    expectedReply: (message) => defaultFakeReply('openai', message),
    close: () => fake.close(),
  };
});

describe('OpenAiProvider on the wire', () => {
  let fake: FakeLlm;
  let provider: OpenAiProvider;
  const signal = (): AbortSignal => new AbortController().signal;

  beforeAll(async () => {
    fake = await startFakeOpenAI();
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => {
    provider = new OpenAiProvider({ baseUrl: fake.baseUrl, apiKey: KEY, timeoutMs: 10_000 });
  });
  const lastRequest = () => fake.requests.at(-1);

  it('posts to {base_url}/chat/completions with a Bearer key and the chat body', async () => {
    fake.enqueue({ usage: { inputTokens: 12, outputTokens: 3 } });
    const result = await provider.chat(contractRequest(provider, 'hi'), signal());
    const request = lastRequest();
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/v1/chat/completions');
    expect(request?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.body).toEqual({
      model: 'gpt-4o-mini',
      messages: contractRequest(provider, 'hi').messages,
      temperature: 0.2,
      max_tokens: 64,
      stream: false,
    });
    expect(result).toEqual({
      text: 'fake openai: hi',
      model: 'gpt-4o-mini',
      usage: { inputTokens: 12, outputTokens: 3 },
    });
  });

  it('strips a trailing slash from base_url', async () => {
    const slashed = new OpenAiProvider({ baseUrl: `${fake.baseUrl}/`, apiKey: KEY });
    await slashed.chat(contractRequest(slashed), signal());
    expect(lastRequest()?.path).toBe('/v1/chat/completions');
  });

  it('sends no Authorization header when no key is configured (Ollama, local vLLM)', async () => {
    const keyless = new OpenAiProvider({ baseUrl: fake.baseUrl });
    await keyless.chat(contractRequest(keyless), signal());
    expect(lastRequest()?.headers.authorization).toBeUndefined();
  });

  it('asks for SSE with usage when streaming', async () => {
    await drainStream(provider.stream(contractRequest(provider), signal()));
    expect(lastRequest()?.headers.accept).toBe('text/event-stream');
    expect(lastRequest()?.body).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('turns a 401 error body into a sanitized ProviderError without the key', async () => {
    fake.enqueue({
      error: { status: 401, message: `Incorrect API key provided: ${KEY}.` },
    });
    const error = await provider.chat(contractRequest(provider), signal()).catch((e) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.message).toMatch(/^openai API error 401 \(invalid_api_key\): Incorrect API key/);
    expect(error.message).not.toContain(KEY);
    expect(error.message).not.toContain('Zq8Wx3');
    expect(error).toMatchObject({ status: 401, retryable: false, aborted: false });
    expect(JSON.stringify(error)).not.toContain(KEY);
  });

  it.each([
    { status: 429, retryable: true },
    { status: 500, retryable: true },
    { status: 503, retryable: true },
    { status: 400, retryable: false },
    { status: 404, retryable: false },
  ])('marks HTTP $status as retryable=$retryable', async ({ status, retryable }) => {
    fake.enqueue({ error: { status } });
    const error = await provider.chat(contractRequest(provider), signal()).catch((e) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ status, retryable });
    expect(error.message).toContain(`openai API error ${status}`);
  });

  it('fails streams with the HTTP error before any delta', async () => {
    fake.enqueue({ error: { status: 429 } });
    const { deltas, error } = await drainStream(
      provider.stream(contractRequest(provider), signal()),
    );
    expect(deltas).toEqual([]);
    expect(error).toMatchObject({ status: 429, retryable: true });
  });

  it('throws a retryable ProviderError when the connection breaks mid-stream', async () => {
    fake.enqueue({ chunks: ['one ', 'two ', 'three'], breakAfterChunks: 2 });
    const { deltas, error } = await drainStream(
      provider.stream(contractRequest(provider), signal()),
    );
    expect(deltas).toEqual(['one ', 'two ']);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ retryable: true, aborted: false });
  });

  it('throws when the stream ends cleanly but without [DONE]', async () => {
    fake.enqueue({ chunks: ['partial'], omitTerminator: true });
    const { deltas, error } = await drainStream(
      provider.stream(contractRequest(provider), signal()),
    );
    expect(deltas).toEqual(['partial']);
    expect((error as Error).message).toBe('openai stream ended before [DONE]');
  });

  it('throws a sanitized ProviderError on a mid-stream error event', async () => {
    fake.enqueue({
      chunks: ['a ', 'b'],
      streamError: { message: `upstream died, key ${KEY}`, type: 'server_error' },
    });
    const { deltas, error } = await drainStream(
      provider.stream(contractRequest(provider), signal()),
    );
    expect(deltas).toEqual(['a ', 'b']);
    expect((error as Error).message).toMatch(/^openai stream error \(502\): upstream died, key/);
    expect((error as Error).message).not.toContain(KEY);
  });

  it('times out with a retryable, non-aborted ProviderError and closes the connection', async () => {
    const slow = new OpenAiProvider({ baseUrl: fake.baseUrl, apiKey: KEY, timeoutMs: 100 });
    fake.enqueue({ delayMs: 30_000 });
    const error = await slow.chat(contractRequest(slow), signal()).catch((e) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ aborted: false, retryable: true });
    expect(error.message).toBe('openai request timed out after 100 ms');
    await lastRequest()?.clientClosed;
  });

  it('closes the upstream connection when the caller aborts a stream', async () => {
    fake.enqueue({ chunks: ['first ', 'second '], hang: true });
    const controller = new AbortController();
    const stream = provider.stream(contractRequest(provider), controller.signal);
    const iterator = stream[Symbol.asyncIterator]();
    await expect(iterator.next()).resolves.toEqual({ done: false, value: 'first ' });
    await expect(iterator.next()).resolves.toEqual({ done: false, value: 'second ' });
    const pending = iterator.next();
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'ProviderError', aborted: true });
    await lastRequest()?.clientClosed;
    expect(lastRequest()?.closedByClient).toBe(true);
  });

  it('closes the upstream connection when the consumer stops reading early', async () => {
    fake.enqueue({ chunks: ['only '], hang: true });
    for await (const delta of provider.stream(contractRequest(provider), signal())) {
      expect(delta).toBe('only ');
      break;
    }
    await lastRequest()?.clientClosed;
  });

  it('throws a retryable ProviderError when the server is unreachable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const offline = new OpenAiProvider({ baseUrl: `http://127.0.0.1:${port}/v1`, apiKey: KEY });
    const error = await offline.chat(contractRequest(offline), signal()).catch((e) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ retryable: true, aborted: false });
    expect(error.message).toMatch(/^openai request failed: connect ECONNREFUSED/);
    expect(error.message).not.toContain(KEY);
  });

  it('refuses to follow a redirect, so the key is never replayed to another host', async () => {
    const redirector = createServer((req, res) => {
      res.writeHead(307, { location: `${fake.baseUrl}/chat/completions` }).end();
    });
    await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
    const { port } = redirector.address() as AddressInfo;
    const before = fake.requests.length;
    try {
      const redirected = new OpenAiProvider({
        baseUrl: `http://127.0.0.1:${port}/v1`,
        apiKey: KEY,
      });
      const error = await redirected.chat(contractRequest(redirected), signal()).catch((e) => e);
      expect(error).toBeInstanceOf(ProviderError);
      expect(error.message).not.toContain(KEY);
      expect(fake.requests.length).toBe(before);
    } finally {
      redirector.closeAllConnections();
      await new Promise<void>((resolve) => redirector.close(() => resolve()));
    }
  });

  it('uses the section name in error messages', async () => {
    const named = new OpenAiProvider({ name: 'openrouter', baseUrl: fake.baseUrl, apiKey: KEY });
    fake.enqueue({ error: { status: 402, message: 'Insufficient credits' } });
    const error = await named.chat(contractRequest(named), signal()).catch((e) => e);
    expect(error.message).toBe(
      'openrouter API error 402 (invalid_request_error): Insufficient credits',
    );
  });
});
