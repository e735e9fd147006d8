import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { isGatewayError } from '../errors.js';
import { checkRequestOrigin, requireAllowedOrigin } from './request-origin.js';

const selfOrigins = ['http://127.0.0.1:3000', 'http://localhost:3000', 'http://[::1]:3000'];
const allowedOrigins = ['https://chat.example.com'];

describe('checkRequestOrigin', () => {
  it.each<{ origin: string | undefined; allowed: boolean; why: string }>([
    { origin: undefined, allowed: true, why: 'no Origin: a non-browser client' },
    { origin: 'http://127.0.0.1:3000', allowed: true, why: 'the gateway itself' },
    { origin: 'http://localhost:3000', allowed: true, why: 'the gateway by its loopback name' },
    { origin: 'http://[::1]:3000', allowed: true, why: 'the gateway over IPv6 loopback' },
    { origin: 'https://chat.example.com', allowed: true, why: 'listed in allowed_origins' },
    { origin: 'https://CHAT.example.com:443', allowed: true, why: 'the same origin, normalized' },
    { origin: 'https://evil.example', allowed: false, why: 'a foreign site' },
    { origin: 'http://evil.example:3000', allowed: false, why: 'a DNS-rebinding page' },
    { origin: 'http://127.0.0.1:3001', allowed: false, why: 'another local port' },
    { origin: 'http://chat.example.com', allowed: false, why: 'the allowed host over http' },
    { origin: 'https://chat.example.com.evil.io', allowed: false, why: 'a suffix trick' },
    { origin: 'null', allowed: false, why: 'a sandboxed frame or file: page' },
    { origin: '', allowed: false, why: 'an empty Origin header' },
    { origin: '*', allowed: false, why: 'a wildcard' },
    {
      origin: 'http://127.0.0.1:3000, https://evil.example',
      allowed: false,
      why: 'a repeated header joined by Node',
    },
  ])('$origin → $allowed ($why)', ({ origin, allowed }) => {
    expect(checkRequestOrigin({ origin, allowedOrigins, selfOrigins })).toBe(allowed);
  });

  it('refuses every browser origin when neither list has an entry', () => {
    const check = { allowedOrigins: [], selfOrigins: [] };
    expect(checkRequestOrigin({ ...check, origin: 'http://127.0.0.1:3000' })).toBe(false);
    expect(checkRequestOrigin({ ...check, origin: undefined })).toBe(true);
  });
});

describe('requireAllowedOrigin', () => {
  const apps: FastifyInstance[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  async function buildApp(self: () => readonly string[]) {
    const app = Fastify();
    apps.push(app);
    app.setErrorHandler((error, _request, reply) => {
      if (!isGatewayError(error)) return reply.code(500).send({ error: 'Internal server error' });
      return reply.code(error.status).send(error.toBody());
    });
    let handled = 0;
    const preHandler = requireAllowedOrigin({ allowedOrigins, selfOrigins: self });
    app.post('/state', { preHandler }, async () => {
      handled += 1;
      return { ok: true };
    });
    await app.ready();
    return { app, handled: () => handled };
  }

  it('answers 403 ORIGIN_FORBIDDEN without running the handler for a foreign origin', async () => {
    const { app, handled } = await buildApp(() => selfOrigins);
    const response = await app.inject({
      method: 'POST',
      url: '/state',
      headers: { origin: 'https://evil.example', 'content-type': 'text/plain' },
      payload: 'hi',
    });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toEqual({
      code: 'ORIGIN_FORBIDDEN',
      error:
        'Origin "https://evil.example" is not allowed; set gateway.public_url if it is the address users open the gateway at, or add it to channels_config.web.allowed_origins',
    });
    expect(handled()).toBe(0);
  });

  it('reads the self origins per request (the port is bound after the routes exist)', async () => {
    let current: readonly string[] = [];
    const { app } = await buildApp(() => current);
    const request = { method: 'POST' as const, url: '/state', headers: { origin: selfOrigins[0] } };
    expect((await app.inject(request)).statusCode).toBe(403);
    current = selfOrigins;
    expect((await app.inject(request)).statusCode).toBe(200);
  });

  it('lets a request without Origin through without resolving the self origins', async () => {
    let resolved = 0;
    const { app, handled } = await buildApp(() => {
      resolved += 1;
      return selfOrigins;
    });
    const response = await app.inject({
      method: 'POST',
      url: '/state',
      headers: { 'content-type': 'text/plain' },
      payload: 'hi',
    });
    expect(response.statusCode).toBe(200);
    expect(handled()).toBe(1);
    expect(resolved).toBe(0);
  });
});
