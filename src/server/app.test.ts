import { afterEach, describe, expect, it } from 'vitest';
import { GatewayError } from '../errors.js';
import { startTestApp } from '../test-support/app-harness.js';
import type { TestApp, TestAppOptions } from '../test-support/app-harness.js';
import { sendRawRequest } from '../test-support/raw-http.js';
import { METRICS_DISABLED_BODY } from './routes/metrics.js';
import { SECURITY_HEADERS } from '../http/security-headers.js';
import type { RouteRegistrar } from './types.js';

const apps: TestApp[] = [];

afterEach(async () => {
  await Promise.all(apps.splice(0).map((t) => t.close()));
});

async function start(options: TestAppOptions = {}): Promise<TestApp> {
  const t = await startTestApp(options);
  apps.push(t);
  return t;
}

const SECRET = 'sk-proj-Q2x8Lm4Np7Rs1Tv5Wy9Zb3Cd6Fg0Hj';

const testRoutes: RouteRegistrar = (app) => {
  app.post('/echo', async (request, reply) => {
    reply.type('application/octet-stream');
    return request.rawBody;
  });
  app.get('/whoami', async (request) => ({ clientKey: request.clientKey }));
  app.get('/items/:id', async (request) => ({ ok: (request.params as { id: string }).id }));
  app.get('/limited', async () => {
    throw new GatewayError('RATE_LIMITED', { extra: { retry_after: 42 } });
  });
  app.get('/boom', async () => {
    throw new Error(`database password=hunter2 leaked ${SECRET}`);
  });
};

function expectSecurityHeaders(headers: Headers): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
    expect(headers.get(name), name).toBe(value);
  }
}

describe('createApp on a real socket', () => {
  it('sets the security headers on a 200, a 404 and a 405', async () => {
    const t = await start({ routes: [testRoutes] });
    const ok = await fetch(`${t.baseUrl}/health`);
    const notFound = await fetch(`${t.baseUrl}/nope`);
    const wrongMethod = await fetch(`${t.baseUrl}/health`, { method: 'DELETE' });
    for (const response of [ok, notFound, wrongMethod]) {
      expectSecurityHeaders(response.headers);
    }
    expect([ok.status, notFound.status, wrongMethod.status]).toEqual([200, 404, 405]);
  });

  it('answers an unknown path with a 404 NOT_FOUND body', async () => {
    const t = await start();
    const response = await fetch(`${t.baseUrl}/does/not/exist?x=1`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ error: 'Not found', code: 'NOT_FOUND' });
  });

  it('answers a known path with the wrong method with 405 and Allow', async () => {
    const t = await start({ routes: [testRoutes] });
    const response = await fetch(`${t.baseUrl}/health`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
    expect(await response.json()).toEqual({
      error: 'Method not allowed',
      code: 'METHOD_NOT_ALLOWED',
    });
    const parametric = await fetch(`${t.baseUrl}/items/7`, { method: 'PUT' });
    expect(parametric.status).toBe(405);
    expect(parametric.headers.get('allow')).toBe('GET, HEAD');
    expect((await fetch(`${t.baseUrl}/items/7/extra`)).status).toBe(404);
  });

  it('shapes a GatewayError with retry_after into the body and a Retry-After header', async () => {
    const t = await start({ routes: [testRoutes] });
    const response = await fetch(`${t.baseUrl}/limited`);
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('42');
    expect(await response.json()).toEqual({
      error: 'Too many requests. Try again in 42s.',
      code: 'RATE_LIMITED',
      retry_after: 42,
    });
  });

  it('turns an unknown error into 500 INTERNAL without leaking it, and logs it redacted', async () => {
    const t = await start({ routes: [testRoutes] });
    const response = await fetch(`${t.baseUrl}/boom`);
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({
      error: 'Internal server error',
      code: 'INTERNAL',
      request_id: expect.any(String),
    });
    const logged = JSON.stringify(t.logLines);
    expect(logged).toContain('request failed');
    expect(logged).not.toContain(SECRET);
    expect(logged).not.toContain('hunter2');
    expect(t.events).toContainEqual(expect.objectContaining({ type: 'Error', component: 'http' }));
  });

  it('hands routes the exact body bytes whatever the content type', async () => {
    const t = await start({ routes: [testRoutes] });
    const bytes = Buffer.from('{"b":1,  "a":"\u00e9"}\n', 'utf8');
    for (const contentType of ['application/json', 'text/plain', 'application/x-custom', '']) {
      const response = await sendRawRequest({
        port: t.port,
        method: 'POST',
        path: '/echo',
        headers: contentType === '' ? {} : { 'content-type': contentType },
        body: bytes,
      });
      expect(response.status).toBe(200);
      expect(Buffer.from(response.body, 'utf8').equals(bytes)).toBe(true);
    }
  });

  it('derives the client key from the peer unless forwarded headers are trusted', async () => {
    const direct = await start({ routes: [testRoutes] });
    const headers = { 'x-forwarded-for': '203.0.113.9' };
    const a = await (await fetch(`${direct.baseUrl}/whoami`, { headers })).json();
    expect(a).toEqual({ clientKey: '127.0.0.1' });

    const proxied = await start({
      routes: [testRoutes],
      config: { gateway: { trust_forwarded_headers: true } },
    });
    const b = await (await fetch(`${proxied.baseUrl}/whoami`, { headers })).json();
    expect(b).toEqual({ clientKey: '203.0.113.9' });
  });

  it('serves /health with the runtime snapshot and paired flag', async () => {
    const t = await start({ isPaired: () => true });
    for (const name of ['gateway', 'channels', 'heartbeat', 'scheduler'])
      t.health.report(name, 'ok');
    t.health.report('channels.slack', 'ok');
    const response = await fetch(`${t.baseUrl}/health`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      status: 'ok',
      paired: true,
      runtime: {
        gateway: { status: 'ok', restart_count: 0 },
        channels: { status: 'ok', components: { slack: { status: 'ok' } } },
        heartbeat: { status: 'ok' },
        scheduler: { status: 'ok' },
      },
    });
    const gateway = (body.runtime as Record<string, { last_update: string }>).gateway;
    expect(Number.isNaN(Date.parse(gateway?.last_update ?? ''))).toBe(false);
  });

  it('reports a degraded component in /health with status 200', async () => {
    const t = await start();
    t.health.report('scheduler', 'degraded', new Error(`sweep failed: ${SECRET}`));
    const response = await fetch(`${t.baseUrl}/health`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({ status: 'degraded' });
    expect(text).not.toContain(SECRET);
  });

  it('serves Prometheus text on /metrics, counting earlier requests by route pattern', async () => {
    const t = await start({ routes: [testRoutes] });
    await fetch(`${t.baseUrl}/items/123`);
    await fetch(`${t.baseUrl}/nope-${Math.random()}`);
    const response = await fetch(`${t.baseUrl}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expectSecurityHeaders(response.headers);
    const text = await response.text();
    expect(text).toContain(
      'gatehouse_http_requests_total{route="/items/:id",method="GET",status="200"} 1',
    );
    expect(text).toContain(
      'gatehouse_http_requests_total{route="unmatched",method="GET",status="404"} 1',
    );
    expect(text).toContain('gatehouse_request_latency_seconds_bucket');
  });

  it('serves the exact disabled note on /metrics when Prometheus is off', async () => {
    const t = await start({ metrics: false });
    const response = await fetch(`${t.baseUrl}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const body = await response.text();
    expect(body).toBe(
      '# Prometheus backend not enabled. Set [observability] backend = "prometheus" in config.',
    );
    expect(body).toBe(METRICS_DISABLED_BODY);
  });

  it('answers a malformed URL encoding with a JSON 400 and the security headers', async () => {
    const t = await start({ routes: [testRoutes] });
    const response = await sendRawRequest({ port: t.port, path: '/items/%zz' });
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toEqual({ error: 'Bad request', code: 'BAD_REQUEST' });
    expect(response.headers['x-frame-options']).toBe('DENY');
  });

  it('answers a malformed request line with a JSON 400 and the security headers', async () => {
    const t = await start();
    const { connect } = await import('node:net');
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(t.port, '127.0.0.1', () => socket.write('GARBAGE\r\n\r\n'));
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString('utf8')));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect(raw).toContain('x-content-type-options: nosniff');
    expect(raw).toContain('{"error":"Bad request","code":"BAD_REQUEST"}');
  });
});
