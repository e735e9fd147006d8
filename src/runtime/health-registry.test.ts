import { describe, it, expect } from 'vitest';
import { createHealthRegistry } from './health-registry.js';

const T0 = Date.parse('2026-02-18T12:00:00.000Z');

function registry(): ReturnType<typeof createHealthRegistry> {
  let now = T0;
  return createHealthRegistry({ now: () => (now += 1000) });
}

function reportAllOk(health: ReturnType<typeof createHealthRegistry>): void {
  for (const name of ['gateway', 'channels', 'heartbeat', 'scheduler']) health.report(name, 'ok');
}

describe('createHealthRegistry', () => {
  it('lists the core components as starting before anything reports', () => {
    const health = registry();
    const snapshot = health.snapshot();
    expect(Object.keys(snapshot).sort()).toEqual(['channels', 'gateway', 'heartbeat', 'scheduler']);
    expect(snapshot.gateway).toEqual({
      status: 'starting',
      last_update: '2026-02-18T12:00:01.000Z',
      restart_count: 0,
    });
    expect(health.overall()).toBe('starting');
  });

  it('is ok overall only when every component is ok', () => {
    const health = registry();
    reportAllOk(health);
    expect(health.overall()).toBe('ok');
    health.report('heartbeat', 'degraded');
    expect(health.overall()).toBe('degraded');
    health.report('gateway', 'error');
    expect(health.overall()).toBe('error');
  });

  it('nests dotted names as sub-components and rolls their status up', () => {
    const health = registry();
    reportAllOk(health);
    health.report('channels.slack', 'ok');
    health.report('channels.whatsapp', 'error', new Error('graph api 401'));
    const channels = health.snapshot().channels;
    expect(channels?.status).toBe('error');
    expect(channels?.components?.slack?.status).toBe('ok');
    expect(channels?.components?.whatsapp).toMatchObject({
      status: 'error',
      last_error: 'graph api 401',
    });
    expect(health.overall()).toBe('error');
  });

  it('sanitizes last_error and keeps it after recovery', () => {
    const health = registry();
    const key = 'sk-ant-api03-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe';
    health.report('gateway', 'degraded', new Error(`upstream rejected ${key}`));
    health.report('gateway', 'ok');
    const gateway = health.snapshot().gateway;
    expect(gateway?.status).toBe('ok');
    expect(gateway?.last_error).toBe('upstream rejected [REDACTED]');
    expect(JSON.stringify(health.snapshot())).not.toContain(key);
  });

  it('counts restarts and stamps RFC 3339 times', () => {
    const health = registry();
    health.markRestart('channels.telegram');
    health.markRestart('channels.telegram');
    const telegram = health.snapshot().channels?.components?.telegram;
    expect(telegram?.restart_count).toBe(2);
    expect(telegram?.last_update).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
  });

  it('shows a component url while set and drops it when cleared', () => {
    const health = registry();
    health.report('tunnel', 'ok');
    health.setUrl('tunnel', 'https://a-b-c.trycloudflare.com');
    expect(health.snapshot().tunnel).toMatchObject({
      status: 'ok',
      url: 'https://a-b-c.trycloudflare.com',
    });
    expect(health.snapshot().gateway).not.toHaveProperty('url');
    health.setUrl('tunnel', undefined);
    expect(health.snapshot().tunnel).not.toHaveProperty('url');
  });
});
