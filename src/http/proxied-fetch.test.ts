import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startFakeForwardProxy, stubProxyEnv } from '../test-support/fake-forward-proxy.js';
import type { FakeForwardProxy } from '../test-support/fake-forward-proxy.js';
import { startFakeOpenAI } from '../test-support/fake-llm.js';
import { useLoopbackCertificate } from '../test-support/self-signed-certificate.js';
import { proxiedFetch, proxyAgentOptions } from './proxied-fetch.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** A platform API stand-in: answers every POST with its body, method and path echoed as JSON. */
async function echoApi(): Promise<{ url: string; hits: () => number }> {
  let hits = 0;
  const server = createServer((req, res) => {
    hits += 1;
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => {
      res.writeHead(201, { 'content-type': 'application/json', 'x-api': 'fake' });
      res.end(
        JSON.stringify({
          method: req.method,
          path: req.url,
          body: Buffer.concat(parts).toString(),
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits: () => hits };
}

async function forwardProxy(
  options?: Parameters<typeof startFakeForwardProxy>[0],
): Promise<FakeForwardProxy> {
  const proxy = await startFakeForwardProxy(options);
  closers.push(() => proxy.close());
  return proxy;
}

async function post(url: string): Promise<Response> {
  return proxiedFetch(`${url}/bot/sendMessage`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"text":"hi"}',
  });
}

describe('proxiedFetch', () => {
  it('calls directly when no proxy variable is set', async () => {
    const api = await echoApi();
    const proxy = await forwardProxy();
    stubProxyEnv({});
    const response = await post(api.url);
    expect(response.status).toBe(201);
    expect(proxy.visits).toEqual([]);
  });

  it('tunnels through the proxy and returns the answer as fetch would', async () => {
    const api = await echoApi();
    const proxy = await forwardProxy();
    stubProxyEnv({ HTTP_PROXY: proxy.url });
    const response = await post(api.url);
    expect(response.status).toBe(201);
    expect(response.headers.get('x-api')).toBe('fake');
    expect(await response.json()).toEqual({
      method: 'POST',
      path: '/bot/sendMessage',
      body: '{"text":"hi"}',
    });
    expect(proxy.visits).toEqual([
      { method: 'CONNECT', target: new URL(api.url).host, proxyAuthorization: undefined },
    ]);
  });

  it('calls directly when NO_PROXY names the host', async () => {
    const api = await echoApi();
    const proxy = await forwardProxy();
    stubProxyEnv({ HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' });
    expect((await post(api.url)).status).toBe(201);
    expect(proxy.visits).toEqual([]);
  });

  it('authenticates with the credentials of the proxy URL', async () => {
    const api = await echoApi();
    const proxy = await forwardProxy({ credentials: { user: 'bob', password: 'tunnel-pass' } });
    stubProxyEnv({ HTTP_PROXY: proxy.url.replace('://', '://bob:tunnel-pass@') });
    expect((await post(api.url)).status).toBe(201);
    expect(proxy.visits[0]?.proxyAuthorization).toBe(
      `Basic ${Buffer.from('bob:tunnel-pass').toString('base64')}`,
    );
  });

  it('fails on a refusing proxy without its password and without reaching the API', async () => {
    const api = await echoApi();
    const proxy = await forwardProxy({ credentials: { user: 'bob', password: 'right-pass' } });
    stubProxyEnv({ HTTP_PROXY: proxy.url.replace('://', '://bob:wrong-pass-123@') });
    const error: unknown = await post(api.url).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(/^fetch failed: .*Proxy response \(407\)/);
    expect((error as Error).message).not.toContain('wrong-pass-123');
    expect(api.hits()).toBe(0);
  });

  it('fails on an unsupported proxy without calling anything', async () => {
    const api = await echoApi();
    stubProxyEnv({ HTTP_PROXY: 'socks5://127.0.0.1:1080' });
    await expect(post(api.url)).rejects.toThrow(
      'fetch failed: socks5 proxies are not supported; use an http:// or https:// proxy',
    );
    expect(api.hits()).toBe(0);
  });

  it('sends a token-only proxy URL as Basic with an empty password', async () => {
    const api = await echoApi();
    const proxy = await forwardProxy({ credentials: { user: 'tok-123', password: '' } });
    stubProxyEnv({ HTTP_PROXY: proxy.url.replace('://', '://tok-123@') });
    expect((await post(api.url)).status).toBe(201);
  });

  it('keeps the error code of a proxy that cannot be reached', async () => {
    const api = await echoApi();
    const gone = await forwardProxy();
    await gone.close();
    stubProxyEnv({ HTTP_PROXY: gone.url });
    const error: unknown = await post(api.url).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error & { cause?: { code?: string } }).cause?.code).toBe('ECONNREFUSED');
  });

  it('ends with a TimeoutError, as fetch does, when the proxy leaves CONNECT unanswered', async () => {
    const api = await echoApi();
    const proxy = await forwardProxy({ holdConnect: true });
    stubProxyEnv({ HTTP_PROXY: proxy.url });
    const error: unknown = await proxiedFetch(`${api.url}/x`, {
      method: 'POST',
      body: '{}',
      signal: AbortSignal.timeout(300),
    }).catch((caught: unknown) => caught);
    expect((error as Error).name).toBe('TimeoutError');
    expect(api.hits()).toBe(0);
  });

  it('closes the socket to a proxy that leaves CONNECT unanswered past the answer timeout', async () => {
    const api = await echoApi();
    const proxy = await forwardProxy({ holdConnect: true });
    const undici = await import('undici');
    const dispatcher = new undici.ProxyAgent(proxyAgentOptions(undici, new URL(proxy.url), 400));
    closers.push(() => dispatcher.close());
    const error: unknown = await undici
      .fetch(`${api.url}/x`, { dispatcher, signal: AbortSignal.timeout(100) })
      .catch((caught: unknown) => caught);
    // The caller gave up first; the socket to the proxy goes at the answer timeout.
    expect((error as Error).name).toBe('TimeoutError');
    expect(proxy.openConnections()).toBe(1);
    await vi.waitFor(() => expect(proxy.openConnections()).toBe(0), { timeout: 2_000 });
  });

  describe('to an https API', () => {
    const certificate = useLoopbackCertificate();

    it('tunnels with CONNECT and still checks the certificate end to end', async () => {
      const tlsApi = await startFakeOpenAI({
        tls: { key: certificate().key, cert: certificate().cert },
      });
      closers.push(() => tlsApi.close());
      const proxy = await forwardProxy();
      stubProxyEnv({ HTTPS_PROXY: proxy.url, HTTP_PROXY: 'http://127.0.0.1:9' });
      const error: unknown = await post(tlsApi.baseUrl).catch((caught: unknown) => caught);
      expect((error as Error).message).toMatch(/^fetch failed: .*self[- ]signed certificate/);
      expect(proxy.visits).toEqual([
        {
          method: 'CONNECT',
          target: `127.0.0.1:${new URL(tlsApi.baseUrl).port}`,
          proxyAuthorization: undefined,
        },
      ]);
      expect(tlsApi.requests).toHaveLength(0);
    });
  });
});
