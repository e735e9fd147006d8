import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import { createHealthRegistry } from '../runtime/health-registry.js';
import type { Scheduler } from '../runtime/types.js';
import { Registry } from 'prom-client';
import { registerInstanceInfo, serviceComponents, watchMemoryHealth } from './service-health.js';

describe('serviceComponents', () => {
  it.each([
    [{}, []],
    [{ state: { backend: 'redis' } }, ['redis']],
    [{ memory: { backend: 'postgres', url: 'postgres://u@h/db' } }, ['postgres']],
  ])('%j adds %j to the core components', (input, extra) => {
    const components = serviceComponents(configSchema.parse(input));
    expect(components.slice(4)).toEqual(extra);
  });
});

describe('watchMemoryHealth', () => {
  it('reports postgres ok while the ping answers, degraded when it fails, and ok again', async () => {
    const health = createHealthRegistry({ components: ['postgres'] });
    const jobs: Array<() => void | Promise<void>> = [];
    const scheduler: Scheduler = { every: (_n, _ms, job) => jobs.push(job), stop: () => undefined };
    let up = true;
    const memory = {
      ping: async () => {
        if (!up) throw new Error('connect ECONNREFUSED');
      },
    };
    await watchMemoryHealth(memory, health, scheduler, pino({ level: 'silent' }));
    expect(health.snapshot().postgres?.status).toBe('ok');
    up = false;
    await jobs[0]?.();
    expect(health.snapshot().postgres?.status).toBe('degraded');
    up = true;
    await jobs[0]?.();
    expect(health.snapshot().postgres?.status).toBe('ok');
  });
});

describe('registerInstanceInfo', () => {
  it('exposes the instance id as an info metric', async () => {
    const registry = new Registry();
    registerInstanceInfo(registry, 'gw-7');
    expect(await registry.metrics()).toContain('gatehouse_instance_info{instance_id="gw-7"} 1');
  });
});
