import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { NO_ROUTE_SCHEMAS } from './no-route-schemas.js';

describe('Fastify without route schemas', () => {
  it('serves routes that declare no schema', async () => {
    const app = Fastify({ schemaController: NO_ROUTE_SCHEMAS });
    app.get('/plain', async () => ({ ok: true }));
    const response = await app.inject({ method: 'GET', url: '/plain' });
    expect(response.json()).toEqual({ ok: true });
    await app.close();
  });

  it('refuses a route that declares one, naming what to do instead', async () => {
    const app = Fastify({ schemaController: NO_ROUTE_SCHEMAS });
    app.post('/typed', { schema: { body: { type: 'object' } } }, async () => ({}));
    await expect(app.ready()).rejects.toThrow(/validate the request with zod/);
  });
});
