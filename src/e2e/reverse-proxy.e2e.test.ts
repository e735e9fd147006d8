import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEB_CHAT_CSP } from '../server/routes/static.js';
import { buildCliIfStale, killAllCli, makeTempHome } from '../test-support/gatehouse-process.js';
import type { TempHome } from '../test-support/gatehouse-process.js';
import { startLiveGateway } from '../test-support/live-gateway.js';
import type { LiveGateway } from '../test-support/live-gateway.js';
import { sendRawRequest } from '../test-support/raw-http.js';
import type { RawResponse } from '../test-support/raw-http.js';
import {
  reserveLoopbackPort,
  startReverseProxy,
  stopAllProxies,
} from '../test-support/reverse-proxy.js';
import type { ProxyKind, ReservedPort, RunningProxy } from '../test-support/reverse-proxy.js';
import { connectWs } from '../test-support/ws-client.js';
import { ask, openSession } from '../test-support/ws-session.js';

/*
 * The shipped deployment guides, proven: real nginx and real Caddy run the files in docs/deploy/
 * (test variants: plain HTTP on a loopback port, see proxy-configs.ts) in front of the built
 * gateway, configured as docs/deploy/README.md says (trusted_proxies, public_url). Clients
 * connect from different loopback addresses (127.0.0.x) so the proxy sees different clients.
 */

/** `webhook_rate_limit_per_minute` of the gateway under test. */
const WEBHOOK_LIMIT = 4;
/** The client of the functional checks; the limit checks use their own addresses. */
const CLIENT = '127.0.0.5';

function gatewayConfig(publicUrl: string): string {
  return [
    '[gateway]',
    'host = "127.0.0.1"',
    'port = 0',
    'trusted_proxies = ["127.0.0.1/32"]',
    `public_url = "${publicUrl}"`,
    `webhook_rate_limit_per_minute = ${WEBHOOK_LIMIT}`,
    '[observability]',
    'log_level = "warn"',
    '',
  ].join('\n');
}

interface Call {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Source address; default CLIENT. */
  from?: string;
}

describe.each<ProxyKind>(['nginx', 'caddy'])('gatehouse behind %s (docs/deploy)', (kind) => {
  let home: TempHome | undefined;
  let gateway: LiveGateway | undefined;
  let proxy: RunningProxy | undefined;
  let token: string | undefined;
  let listen: ReservedPort | undefined;

  beforeAll(async () => {
    buildCliIfStale();
    listen = await reserveLoopbackPort();
    home = makeTempHome(gatewayConfig(`http://127.0.0.1:${listen.port}`));
    gateway = await startLiveGateway(home);
    const upstreamPort = Number(new URL(gateway.url).port);
    proxy = await startReverseProxy(kind, listen, upstreamPort);
  }, 300_000);

  afterAll(async () => {
    await listen?.release();
    await proxy?.stop();
    await stopAllProxies();
    await gateway?.stop();
    await killAllCli();
    home?.cleanup();
  }, 30_000);

  const running = (): { gateway: LiveGateway; proxy: RunningProxy } => {
    if (gateway === undefined || proxy === undefined) throw new Error('setup failed');
    return { gateway, proxy };
  };
  const paired = (): string => {
    if (token === undefined) throw new Error('pairing through the proxy failed (see that test)');
    return token;
  };
  /** One request through the proxy. */
  const call = (options: Call): Promise<RawResponse> =>
    sendRawRequest({
      port: running().proxy.port,
      method: options.method ?? 'GET',
      path: options.path,
      headers: {
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...options.headers,
      },
      ...(options.body === undefined ? {} : { body: options.body }),
      localAddress: options.from ?? CLIENT,
    });
  const webhook = (from: string, headers: Record<string, string> = {}): Promise<RawResponse> =>
    call({
      method: 'POST',
      path: '/webhook',
      from,
      headers: { authorization: `Bearer ${paired()}`, ...headers },
      body: JSON.stringify({ message: 'hello' }),
    });
  const ticket = async (path: string, headers: Record<string, string> = {}): Promise<string> => {
    const response = await call({
      method: 'POST',
      path,
      headers: { authorization: `Bearer ${paired()}`, ...headers },
    });
    expect(response.status, response.body).toBe(200);
    return (JSON.parse(response.body) as { ticket: string }).ticket;
  };

  it('answers /health through the proxy', async () => {
    const response = await call({ path: '/health' });
    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(response.body)).toMatchObject({ status: expect.any(String) });
  });

  it('pairs through the proxy with the printed code, after refusing a wrong one', async () => {
    const code = await running().gateway.pairingCode();
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    const refused = await call({
      method: 'POST',
      path: '/pair',
      headers: { 'x-pairing-code': wrong },
    });
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body)).toMatchObject({ code: 'PAIRING_CODE_INVALID' });

    const response = await call({
      method: 'POST',
      path: '/pair',
      headers: { 'x-pairing-code': code },
    });
    expect(response.status, response.body).toBe(200);
    token = (JSON.parse(response.body) as { token: string }).token;
    expect(token).toMatch(/^gth_/);
  });

  it('answers an authenticated /webhook through the proxy and refuses a missing token', async () => {
    const response = await webhook(CLIENT);
    expect(response.status, response.body).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ response: 'echo: hello' });

    const anonymous = await call({ method: 'POST', path: '/webhook', body: '{"message":"hi"}' });
    expect(anonymous.status).toBe(401);
  });

  it('streams a WebSocket reply through the proxy', async () => {
    const wsTicket = await ticket('/ws/ticket');
    const { client } = await openSession(
      `ws://127.0.0.1:${running().proxy.port}/ws?ticket=${wsTicket}`,
      { localAddress: CLIENT },
    );
    try {
      const reply = await ask(client, 'm1', 'through the proxy');
      expect(reply.done.response).toBe('echo: through the proxy');
      expect(reply.deltas.length).toBeGreaterThan(1);
      expect(reply.deltas.join('')).toBe(reply.done.response);
    } finally {
      client.ws.close();
    }
  });

  it('serves the web chat and accepts its WebSocket from the public_url origin', async () => {
    const origin = running().proxy.url;
    const page = await call({ path: '/' });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toBe(WEB_CHAT_CSP);

    const wsTicket = await ticket('/ws/ticket', { origin });
    const { client } = await openSession(
      `ws://127.0.0.1:${running().proxy.port}/ws?ticket=${wsTicket}`,
      {
        localAddress: CLIENT,
        origin,
      },
    );
    try {
      expect((await ask(client, 'm1', 'from the page')).done.response).toBe('echo: from the page');
    } finally {
      client.ws.close();
    }
  });

  it('refuses a WebSocket upgrade from a foreign origin through the proxy', async () => {
    const wsTicket = await ticket('/ws/ticket');
    const result = await connectWs(`ws://127.0.0.1:${running().proxy.port}/ws?ticket=${wsTicket}`, {
      localAddress: CLIENT,
      origin: 'https://evil.example',
    });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.status).toBe(403);
  });

  it('keys the /webhook rate limit on the real client, not on the proxy', async () => {
    for (let i = 0; i < WEBHOOK_LIMIT; i += 1)
      expect((await webhook('127.0.0.2')).status).toBe(200);
    const limited = await webhook('127.0.0.2');
    expect(limited.status).toBe(429);
    expect(JSON.parse(limited.body)).toMatchObject({ code: 'RATE_LIMITED' });
    // Another client behind the same proxy keeps its own budget.
    expect((await webhook('127.0.0.3')).status).toBe(200);
  });

  it('ignores a spoofed X-Forwarded-For sent through the proxy', async () => {
    // Each request claims another address, the last one even claims the proxy itself.
    const spoofs = ['203.0.113.7', '198.51.100.1, 192.0.2.9', 'garbage', '127.0.0.1'];
    for (const spoof of spoofs) {
      expect((await webhook('127.0.0.4', { 'x-forwarded-for': spoof })).status).toBe(200);
    }
    // Still the same bucket: without the header, and with a fresh spoof, the client is limited.
    expect((await webhook('127.0.0.4')).status).toBe(429);
    expect((await webhook('127.0.0.4', { 'x-forwarded-for': '203.0.113.99' })).status).toBe(429);
  });

  it('locks out only the client that guessed wrong pairing codes', async () => {
    const printed = await running().gateway.cli(['pair']);
    const code = /pairing code: (\d{6})/.exec(printed.stdout)?.[1];
    if (code === undefined) throw new Error(`gatehouse pair printed no code: ${printed.stderr}`);
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    const pair = (from: string, presented: string): Promise<RawResponse> =>
      call({ method: 'POST', path: '/pair', from, headers: { 'x-pairing-code': presented } });

    for (let i = 0; i < 3; i += 1) expect((await pair('127.0.0.7', wrong)).status).toBe(403);
    const locked = await pair('127.0.0.7', code);
    expect(locked.status).toBe(429);
    expect(JSON.parse(locked.body)).toMatchObject({ code: 'PAIRING_LOCKED' });
    // Another client behind the same proxy pairs with the same code.
    const other = await pair('127.0.0.8', code);
    expect(other.status, other.body).toBe(200);
  });

  it('keeps /metrics and /admin/ off the proxy (answered on loopback only)', async () => {
    expect((await call({ path: '/metrics' })).status).toBe(404);
    expect((await call({ method: 'POST', path: '/admin/pair-code' })).status).toBe(404);
    expect((await fetch(`${running().gateway.url}/metrics`)).status).toBe(200);
  });

  it('exposes the /channels/ routes: REST and web chat WebSocket', async () => {
    const response = await call({
      method: 'POST',
      path: '/channels/api/v1',
      headers: { authorization: `Bearer ${paired()}` },
      body: JSON.stringify({ message: 'via channels' }),
      from: '127.0.0.6',
    });
    expect(response.status, response.body).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ response: 'echo: via channels' });

    const wsTicket = await ticket('/channels/web/ticket');
    const { client } = await openSession(
      `ws://127.0.0.1:${running().proxy.port}/channels/web/ws?ticket=${wsTicket}`,
      { localAddress: CLIENT },
    );
    try {
      const reply = await ask(client, 'm1', 'channels ws');
      expect(reply.deltas.join('')).toBe('echo: channels ws');
    } finally {
      client.ws.close();
    }
  });
});
