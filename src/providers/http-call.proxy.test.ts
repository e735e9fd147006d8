import { afterEach, describe, expect, it, vi } from 'vitest';
import { startFakeForwardProxy, stubProxyEnv } from '../test-support/fake-forward-proxy.js';
import type { FakeForwardProxy } from '../test-support/fake-forward-proxy.js';
import { startFakeOpenAI } from '../test-support/fake-llm.js';
import type { FakeLlm } from '../test-support/fake-llm.js';
import { useLoopbackCertificate } from '../test-support/self-signed-certificate.js';
import { postJson } from './http-call.js';
import type { HttpCall } from './http-call.js';
import { ProviderError } from './types.js';

/*
 * Provider calls through a forward proxy named by the standard variables: absolute-form requests
 * for http targets, CONNECT tunnels for https ones, proxy credentials never in a message.
 */

/** Starts a chat call; its answer is still to be read. */
function openChat(
  baseUrl: string,
  { signal = new AbortController().signal, timeoutMs = 5_000 } = {},
): Promise<HttpCall> {
  return postJson({
    provider: 'openai',
    url: `${baseUrl}/chat/completions`,
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test-key' },
    body: { model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] },
    timeoutMs,
    signal,
    secrets: ['sk-test-key'],
  });
}

async function callChat(baseUrl: string): Promise<string> {
  return (await openChat(baseUrl)).text();
}

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error: unknown = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function plainLlm(): Promise<FakeLlm> {
  const llm = await startFakeOpenAI();
  closers.push(() => llm.close());
  return llm;
}

async function forwardProxy(
  options?: Parameters<typeof startFakeForwardProxy>[0],
): Promise<FakeForwardProxy> {
  const proxy = await startFakeForwardProxy(options);
  closers.push(() => proxy.close());
  return proxy;
}

describe('postJson to an http base_url', () => {
  it('goes through HTTP_PROXY as an absolute-form request', async () => {
    const llm = await plainLlm();
    const proxy = await forwardProxy();
    stubProxyEnv({ HTTP_PROXY: proxy.url });
    expect(JSON.parse(await callChat(llm.baseUrl))).toMatchObject({ object: 'chat.completion' });
    expect(proxy.visits).toEqual([
      { method: 'POST', target: `${llm.baseUrl}/chat/completions`, proxyAuthorization: undefined },
    ]);
    expect(llm.requests).toHaveLength(1);
  });

  it('goes direct when NO_PROXY names the host', async () => {
    const llm = await plainLlm();
    const proxy = await forwardProxy();
    stubProxyEnv({ HTTP_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.1' });
    await callChat(llm.baseUrl);
    expect(proxy.visits).toEqual([]);
    expect(llm.requests).toHaveLength(1);
  });

  it('authenticates to the proxy with the credentials in its URL', async () => {
    const llm = await plainLlm();
    const proxy = await forwardProxy({ credentials: { user: 'alice', password: 'hunter2-proxy' } });
    stubProxyEnv({ HTTP_PROXY: proxy.url.replace('://', '://alice:hunter2-proxy@') });
    await callChat(llm.baseUrl);
    expect(proxy.visits.map((visit) => visit.proxyAuthorization)).toEqual([
      `Basic ${Buffer.from('alice:hunter2-proxy').toString('base64')}`,
    ]);
  });

  it('reports a refusing proxy as a 407 without its password', async () => {
    const llm = await plainLlm();
    const proxy = await forwardProxy({ credentials: { user: 'alice', password: 'right-one' } });
    stubProxyEnv({ HTTP_PROXY: proxy.url.replace('://', '://alice:wrong-password@') });
    const error = await failure(callChat(llm.baseUrl));
    expect(error.status).toBe(407);
    expect(error.message).toMatch(/^openai API error 407/);
    expect(error.message).not.toContain('wrong-password');
    expect(llm.requests).toHaveLength(0);
  });

  it('fails clearly on an unsupported proxy and does not call the provider', async () => {
    const llm = await plainLlm();
    stubProxyEnv({ HTTP_PROXY: 'socks5://alice:hunter2-socks@127.0.0.1:1080' });
    const error = await failure(callChat(llm.baseUrl));
    expect(error.message).toBe(
      'openai request failed: socks5 proxies are not supported; use an http:// or https:// proxy',
    );
    expect(llm.requests).toHaveLength(0);
  });
});

describe('postJson to an https base_url', () => {
  const certificate = useLoopbackCertificate();

  async function tlsLlm(): Promise<FakeLlm> {
    const llm = await startFakeOpenAI({
      tls: { key: certificate().key, cert: certificate().cert },
    });
    closers.push(() => llm.close());
    return llm;
  }

  it('tunnels through HTTPS_PROXY with CONNECT and still checks the provider certificate', async () => {
    const llm = await tlsLlm();
    const proxy = await forwardProxy();
    stubProxyEnv({ HTTPS_PROXY: proxy.url, HTTP_PROXY: 'http://127.0.0.1:9' });
    const port = new URL(llm.baseUrl).port;
    // The certificate is self-signed: refused end to end, through the tunnel, as it would be
    // without a proxy. The proxy saw only where to connect, never the request.
    const error = await failure(callChat(llm.baseUrl));
    expect(error.message).toMatch(/^openai request failed: self[- ]signed certificate/);
    expect(error.message).not.toContain('sk-test-key');
    expect(proxy.visits).toEqual([
      { method: 'CONNECT', target: `127.0.0.1:${port}`, proxyAuthorization: undefined },
    ]);
    expect(llm.requests).toHaveLength(0);
  });

  it('reaches a proxy given without a scheme as an http proxy, as curl does', async () => {
    const llm = await tlsLlm();
    const proxy = await forwardProxy();
    stubProxyEnv({ HTTPS_PROXY: proxy.url.replace(/^http:\/\//, '') });
    const error = await failure(callChat(llm.baseUrl));
    // The tunnel opened over plain HTTP; the provider's certificate ends the call as above.
    expect(error.message).toMatch(/^openai request failed: self[- ]signed certificate/);
    expect(proxy.visits).toEqual([
      {
        method: 'CONNECT',
        target: `127.0.0.1:${new URL(llm.baseUrl).port}`,
        proxyAuthorization: undefined,
      },
    ]);
  });

  it('stopping a finished call leaves its tunnel, reused by the next call, alone', async () => {
    // The fake's certificate is self-signed; trust it for this test only.
    vi.stubEnv('NODE_TLS_REJECT_UNAUTHORIZED', '0');
    const llm = await tlsLlm();
    const proxy = await forwardProxy();
    stubProxyEnv({ HTTPS_PROXY: proxy.url });
    const stopFirst = new AbortController();
    const first = await openChat(llm.baseUrl, { signal: stopFirst.signal });
    // Read to its end but not yet released, as a stream consumer still handling the last event.
    for await (const _ of first.body) void _;
    await new Promise((resolve) => setTimeout(resolve, 20));
    llm.enqueue({ delayMs: 300 });
    const second = callChat(llm.baseUrl);
    await new Promise((resolve) => setTimeout(resolve, 100));
    stopFirst.abort();
    await expect(second).resolves.toContain('fake openai: hi');
    // One tunnel: the second call did ride on the first call's socket.
    expect(proxy.visits.map((visit) => visit.method)).toEqual(['CONNECT']);
    first.release();
  });
});

describe('postJson when the proxy does not open the tunnel', () => {
  const HTTPS_TARGET = 'https://api.openai.example/v1';

  it.each([
    {
      case: 'a 2xx of its own (it must not pass for the provider answer)',
      answer:
        'HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}',
      status: 201,
    },
    {
      case: 'a 407',
      answer: 'HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n',
      status: 407,
    },
    {
      case: 'a 502',
      answer: 'HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n',
      status: 502,
    },
  ])('fails on $case', async ({ answer, status }) => {
    const proxy = await forwardProxy({ connectAnswer: answer });
    stubProxyEnv({ HTTPS_PROXY: proxy.url });
    const error = await failure(callChat(HTTPS_TARGET));
    expect(error.message).toBe(
      `openai request failed: the proxy refused the tunnel (HTTP ${status})`,
    );
    expect(error.status).toBe(status);
    expect(proxy.visits.map((visit) => visit.method)).toEqual(['CONNECT']);
  });

  it('times out while the proxy leaves CONNECT unanswered', async () => {
    const proxy = await forwardProxy({ holdConnect: true });
    stubProxyEnv({ HTTPS_PROXY: proxy.url });
    const error = await failure(openChat(HTTPS_TARGET, { timeoutMs: 300 }));
    expect(error.message).toBe('openai request timed out after 300 ms');
    // The socket to the silent proxy is closed too, not left open until the proxy gives up.
    await vi.waitFor(() => expect(proxy.openConnections()).toBe(0), { timeout: 2_000 });
  });

  it('stops when aborted while the proxy leaves CONNECT unanswered', async () => {
    const proxy = await forwardProxy({ holdConnect: true });
    stubProxyEnv({ HTTPS_PROXY: proxy.url });
    const controller = new AbortController();
    const call = openChat(HTTPS_TARGET, { signal: controller.signal, timeoutMs: 30_000 });
    setTimeout(() => controller.abort(), 100);
    const error = await failure(call);
    expect(error.message).toBe('openai request aborted');
    await vi.waitFor(() => expect(proxy.openConnections()).toBe(0), { timeout: 2_000 });
  });
});
