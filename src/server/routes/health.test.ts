import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { createHealthRegistry } from '../../runtime/health-registry.js';
import { healthRoutes } from './health.js';

async function probe(redis: 'ok' | 'error' | 'degraded' | undefined, instanceId?: string) {
  const health = createHealthRegistry({ components: ['gateway'] });
  health.report('gateway', 'ok');
  if (redis !== undefined) health.report('redis', redis);
  const app = Fastify();
  await healthRoutes({ health, isPaired: () => true, instanceId })(app);
  const response = await app.inject({ method: 'GET', url: '/health' });
  await app.close();
  return { status: response.statusCode, body: response.json<Record<string, unknown>>() };
}

describe('GET /health', () => {
  it.each([
    { redis: undefined, status: 200 },
    { redis: 'ok', status: 200 },
    { redis: 'degraded', status: 200 },
    { redis: 'error', status: 503 },
  ] as const)('redis=$redis answers $status', async ({ redis, status }) => {
    expect((await probe(redis)).status).toBe(status);
  });

  it('names the instance that answered', async () => {
    expect((await probe('ok', 'gw-2')).body.instance_id).toBe('gw-2');
    expect((await probe('ok')).body).not.toHaveProperty('instance_id');
  });
});
