import { afterEach, describe, expect, it } from 'vitest';
import { CORE_COMPONENTS } from '../../runtime/health-registry.js';
import { startTestApp } from '../../test-support/app-harness.js';
import type { TestApp, TestAppOptions } from '../../test-support/app-harness.js';

const apps: TestApp[] = [];

afterEach(async () => {
  await Promise.all(apps.splice(0).map((t) => t.close()));
});

async function start(options: TestAppOptions = {}): Promise<TestApp> {
  const t = await startTestApp(options);
  apps.push(t);
  return t;
}

function reportAll(t: TestApp, status: 'ok' | 'degraded' | 'error'): void {
  for (const name of CORE_COMPONENTS) t.health.report(name, status);
}

async function get(t: TestApp, path: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${t.baseUrl}${path}`);
  return { status: response.status, body: await response.json() };
}

describe('/livez, /readyz and /health status codes', () => {
  it('answers /livez 200 even while components are still starting', async () => {
    const t = await start();
    expect(await get(t, '/livez')).toEqual({ status: 200, body: { status: 'alive' } });
  });

  it('answers /readyz 503 while a component is starting, 200 once all are up', async () => {
    const t = await start();
    t.health.report('gateway', 'ok');
    expect(await get(t, '/readyz')).toEqual({
      status: 503,
      body: { status: 'not_ready', overall: 'starting' },
    });
    reportAll(t, 'ok');
    expect(await get(t, '/readyz')).toEqual({ status: 200, body: { status: 'ready' } });
  });

  it('stays ready with a degraded component, not with a failed one', async () => {
    const t = await start();
    reportAll(t, 'ok');
    t.health.report('channels.slack', 'degraded');
    expect((await get(t, '/readyz')).status).toBe(200);
    t.health.report('channels.slack', 'error');
    expect((await get(t, '/readyz')).status).toBe(503);
  });

  it('answers /readyz 503 SERVICE_UNAVAILABLE once shutdown has begun', async () => {
    let stopping = false;
    const t = await start({ isShuttingDown: () => stopping });
    reportAll(t, 'ok');
    expect((await get(t, '/readyz')).status).toBe(200);
    stopping = true;
    expect(await get(t, '/readyz')).toEqual({
      status: 503,
      body: {
        error: 'Service is shutting down',
        code: 'SERVICE_UNAVAILABLE',
        request_id: expect.any(String),
      },
    });
  });

  it('answers /health 503 when the overall status is error, 200 otherwise', async () => {
    const t = await start();
    reportAll(t, 'ok');
    expect(await get(t, '/health')).toMatchObject({ status: 200, body: { status: 'ok' } });
    t.health.report('heartbeat', 'error');
    expect(await get(t, '/health')).toMatchObject({ status: 503, body: { status: 'error' } });
  });
});

describe('/health body reuse', () => {
  it('shows a new report and a paired flip at once, despite reusing the serialized body', async () => {
    let paired = false;
    const t = await start({ isPaired: () => paired });
    reportAll(t, 'ok');
    const first = await get(t, '/health');
    expect(first).toMatchObject({ status: 200, body: { status: 'ok', paired: false } });
    expect(await get(t, '/health')).toEqual(first);
    paired = true;
    expect(await get(t, '/health')).toMatchObject({ body: { paired: true } });
    t.health.report('channels.slack', 'degraded');
    expect(await get(t, '/health')).toMatchObject({
      body: {
        status: 'degraded',
        runtime: { channels: { components: { slack: { status: 'degraded' } } } },
      },
    });
  });
});
