import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp } from '../test-support/app-harness.js';
import type { TestApp, TestAppOptions } from '../test-support/app-harness.js';
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

const routes: RouteRegistrar = (app) => {
  app.get('/boom', async () => {
    throw new Error('database exploded');
  });
};

const PROXIED_ID = 'edge-4711';

describe('request ids', () => {
  it('generates an id and echoes it when the peer is not a trusted proxy', async () => {
    const t = await start({ trustRequestId: () => false });
    const response = await fetch(`${t.baseUrl}/health`, {
      headers: { 'x-request-id': PROXIED_ID },
    });
    const id = response.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-z]+$/);
    expect(id).not.toBe(PROXIED_ID);
  });

  it('keeps the incoming id from a trusted proxy, asking with the peer address', async () => {
    const peers: Array<string | undefined> = [];
    const t = await start({ trustRequestId: (peer) => (peers.push(peer), true) });
    const response = await fetch(`${t.baseUrl}/health`, {
      headers: { 'x-request-id': PROXIED_ID },
    });
    expect(response.headers.get('x-request-id')).toBe(PROXIED_ID);
    expect(peers).toEqual(['127.0.0.1']);
  });

  it('puts the id in a 5xx body and in its error log line, and on a 404', async () => {
    const t = await start({ routes: [routes], trustRequestId: () => true });
    const boom = await fetch(`${t.baseUrl}/boom`, { headers: { 'x-request-id': 'r-500' } });
    expect(boom.status).toBe(500);
    expect(await boom.json()).toEqual({
      error: 'Internal server error',
      code: 'INTERNAL',
      request_id: 'r-500',
    });
    expect(t.logLines.find((line) => line.msg === 'request failed')?.reqId).toBe('r-500');
    const missing = await fetch(`${t.baseUrl}/nope`, { headers: { 'x-request-id': 'r-404' } });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-request-id')).toBe('r-404');
  });
});

describe('observability.access_log', () => {
  it('writes one info line per request with route, status, client and id, never the query', async () => {
    const t = await start({
      config: { observability: { access_log: true } },
      trustRequestId: () => true,
    });
    await fetch(`${t.baseUrl}/health?token=gth_secret`, { headers: { 'x-request-id': 'r-1' } });
    const lines = t.logLines.filter((line) => line.msg === 'request');
    expect(lines).toEqual([
      expect.objectContaining({
        level: 30,
        reqId: 'r-1',
        method: 'GET',
        route: '/health',
        status: 200,
        client: '127.0.0.1',
        durationMs: expect.any(Number),
      }),
    ]);
    expect(JSON.stringify(lines)).not.toContain('gth_secret');
  });

  it('writes no request lines when off (the default)', async () => {
    const t = await start();
    await fetch(`${t.baseUrl}/health`);
    expect(t.logLines.filter((line) => line.msg === 'request')).toEqual([]);
  });
});
