import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeHealth } from './probe-health.js';

/*
 * One loopback server per behaviour answers /health the way a gateway, a broken proxy or a
 * captive portal would.
 */

type Behaviour = (request: IncomingMessage, response: ServerResponse) => void;

const json =
  (status: number, body: unknown): Behaviour =>
  (_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };

const BEHAVIOURS: Record<string, Behaviour> = {
  ok: json(200, { status: 'ok', paired: true, runtime: {} }),
  degraded: json(200, { status: 'degraded', paired: false, runtime: { gateway: {} } }),
  tunnel: json(200, {
    status: 'ok',
    runtime: { tunnel: { status: 'ok', url: 'https://abc.trycloudflare.com' } },
  }),
  oddRuntime: json(200, { status: 'ok', runtime: 'not an object' }),
  badGateway: json(502, { error: 'bad gateway' }),
  notGatehouse: json(200, { hello: 'world' }),
  html: (_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end('<html>login</html>');
  },
  redirect: (_request, response) => {
    response.writeHead(302, { location: 'https://login.example.com/' });
    response.end();
  },
  hang: () => {
    // Never answers: the probe's timeout must end the wait.
  },
};

const servers = new Map<string, { server: Server; url: string }>();
let closedUrl = '';

beforeAll(async () => {
  for (const [name, behaviour] of Object.entries(BEHAVIOURS)) {
    const server = createServer((request, response) => {
      if (request.url !== '/health') {
        response.writeHead(404).end();
        return;
      }
      behaviour(request, response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    servers.set(name, { server, url: `http://127.0.0.1:${port}` });
  }
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  closedUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
});

afterAll(async () => {
  for (const { server } of servers.values()) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

function urlOf(name: string): string {
  const entry = servers.get(name);
  if (entry === undefined) throw new Error(`no server ${name}`);
  return entry.url;
}

describe('probeHealth', () => {
  it.each<[string, unknown]>([
    ['ok', { ok: true, status: 'ok' }],
    ['degraded', { ok: true, status: 'degraded' }],
    ['tunnel', { ok: true, status: 'ok', tunnelUrl: 'https://abc.trycloudflare.com' }],
    ['oddRuntime', { ok: true, status: 'ok' }],
    ['badGateway', { ok: false, reason: 'HTTP 502' }],
    ['redirect', { ok: false, reason: 'HTTP 302' }],
    ['notGatehouse', { ok: false, reason: 'the answer is not a gatehouse /health body' }],
    ['html', { ok: false, reason: 'the answer is not JSON (is this a gatehouse gateway?)' }],
  ])('%s', async (name, expected) => {
    expect(await probeHealth(urlOf(name), { timeoutMs: 2000 })).toEqual(expected);
  });

  it('probes /health at the origin of a base URL with a path', async () => {
    expect(await probeHealth(`${urlOf('ok')}/some/page`, { timeoutMs: 2000 })).toEqual({
      ok: true,
      status: 'ok',
    });
  });

  it('reports a refused connection without throwing', async () => {
    expect(await probeHealth(closedUrl, { timeoutMs: 2000 })).toEqual({
      ok: false,
      reason: 'connection failed (ECONNREFUSED)',
    });
  });

  it('gives up after the timeout on a server that never answers', async () => {
    const started = Date.now();
    const result = await probeHealth(urlOf('hang'), { timeoutMs: 300 });
    expect(result).toEqual({ ok: false, reason: 'no answer within 300 ms' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('reports a DNS failure of a name that cannot resolve', async () => {
    const result = await probeHealth('https://doctor-test.invalid', { timeoutMs: 2000 });
    expect(result.ok).toBe(false);
  });
});
