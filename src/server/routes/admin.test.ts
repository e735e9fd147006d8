import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { isGatewayError } from '../../errors.js';
import { adminRoutes, isLoopbackPeer, isProxiedRequest, requireAdmin } from './admin.js';

const SECRET = 'f'.repeat(64);
const apps: FastifyInstance[] = [];

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function buildApp(trustProxy = false) {
  let issued = 0;
  const guard = {
    issueCode: async () => {
      issued += 1;
      return String(100_000 + issued);
    },
  };
  // trustProxy on purpose in one variant: even when Fastify trusts forwarded headers for
  // request.ip, the admin check must look at the socket.
  const app = Fastify({ trustProxy });
  apps.push(app);
  app.setErrorHandler((error, _request, reply) => {
    if (!isGatewayError(error)) return reply.code(500).send({ error: 'Internal server error' });
    return reply.code(error.status).send(error.toBody());
  });
  await adminRoutes({ guard, adminSecret: SECRET })(app);
  app.get('/admin/extra', { preHandler: requireAdmin(SECRET) }, async () => ({ ok: true }));
  return { app, issuedCount: () => issued };
}

describe('isLoopbackPeer', () => {
  it.each([
    { address: '127.0.0.1', expected: true },
    { address: '127.1.2.3', expected: true },
    { address: '::1', expected: true },
    { address: '0:0:0:0:0:0:0:1', expected: true },
    { address: '::ffff:127.0.0.1', expected: true },
    { address: '::FFFF:127.0.0.1', expected: true },
    { address: '128.0.0.1', expected: false },
    { address: '10.0.0.1', expected: false },
    { address: '0.0.0.0', expected: false },
    { address: '::', expected: false },
    { address: '::2', expected: false },
    { address: '::ffff:10.0.0.1', expected: false },
    { address: 'fe80::1', expected: false },
    { address: 'localhost', expected: false },
    { address: '127.0.0.1.evil.com', expected: false },
    { address: '', expected: false },
    { address: undefined, expected: false },
  ])('$address → $expected', ({ address, expected }) => {
    expect(isLoopbackPeer(address)).toBe(expected);
  });
});

describe('isProxiedRequest', () => {
  it.each<{ headers: Record<string, string>; expected: boolean }>([
    { headers: {}, expected: false },
    { headers: { 'x-admin-secret': SECRET, 'user-agent': 'gatehouse-cli' }, expected: false },
    { headers: { host: 'gate.example.com' }, expected: false },
    { headers: { 'x-forwarded-for': '203.0.113.9' }, expected: true },
    { headers: { 'x-forwarded-for': '127.0.0.1' }, expected: true },
    { headers: { forwarded: 'for=203.0.113.9' }, expected: true },
    { headers: { 'x-real-ip': '203.0.113.9' }, expected: true },
    { headers: { 'cf-connecting-ip': '203.0.113.9' }, expected: true },
    { headers: { 'true-client-ip': '203.0.113.9' }, expected: true },
    { headers: { 'x-forwarded-host': 'abc.trycloudflare.com' }, expected: true },
    { headers: { 'x-forwarded-for': '' }, expected: true },
  ])('$headers → $expected', ({ headers, expected }) => {
    expect(isProxiedRequest(headers)).toBe(expected);
  });
});

describe('POST /admin/pair-code', () => {
  it('issues a fresh code to a loopback peer with the secret', async () => {
    const { app } = await buildApp();
    const response = await app.inject({
      method: 'POST',
      url: '/admin/pair-code',
      headers: { 'x-admin-secret': SECRET },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ code: '100001' });
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it.each([
    { label: 'no secret', headers: {} },
    { label: 'wrong secret', headers: { 'x-admin-secret': 'e'.repeat(64) } },
    { label: 'secret prefix', headers: { 'x-admin-secret': SECRET.slice(0, 63) } },
  ])('refuses a loopback peer with $label (403)', async ({ headers }) => {
    const { app, issuedCount } = await buildApp();
    const response = await app.inject({ method: 'POST', url: '/admin/pair-code', headers });
    expect(response.statusCode).toBe(403);
    expect(response.json<{ code: string }>().code).toBe('ADMIN_FORBIDDEN');
    expect(issuedCount()).toBe(0);
  });

  it.each([false, true])(
    'refuses a remote peer with the right secret and forged forwarded headers (trustProxy=%s)',
    async (trustProxy) => {
      const { app, issuedCount } = await buildApp(trustProxy);
      const response = await app.inject({
        method: 'POST',
        url: '/admin/pair-code',
        remoteAddress: '203.0.113.9',
        headers: {
          'x-admin-secret': SECRET,
          'x-forwarded-for': '127.0.0.1',
          'x-real-ip': '127.0.0.1',
          forwarded: 'for=127.0.0.1',
        },
      });
      expect(response.statusCode).toBe(403);
      expect(issuedCount()).toBe(0);
    },
  );

  it.each([
    { 'x-forwarded-for': '203.0.113.9' },
    { forwarded: 'for=203.0.113.9;proto=https' },
    { 'x-real-ip': '203.0.113.9' },
    { 'cf-connecting-ip': '203.0.113.9' },
    { 'true-client-ip': '203.0.113.9' },
    { 'x-forwarded-host': 'abc.trycloudflare.com' },
  ])(
    'refuses a loopback peer with the right secret relayed by a tunnel (%o)',
    async (proxyHeaders) => {
      const { app, issuedCount } = await buildApp();
      const response = await app.inject({
        method: 'POST',
        url: '/admin/pair-code',
        remoteAddress: '127.0.0.1',
        headers: { 'x-admin-secret': SECRET, ...proxyHeaders },
      });
      expect(response.statusCode).toBe(403);
      expect(response.json<{ code: string }>().code).toBe('ADMIN_FORBIDDEN');
      expect(issuedCount()).toBe(0);
    },
  );

  it('protects other admin routes through the reusable preHandler', async () => {
    const { app } = await buildApp();
    const denied = await app.inject({ method: 'GET', url: '/admin/extra' });
    expect(denied.statusCode).toBe(403);
    const allowed = await app.inject({
      method: 'GET',
      url: '/admin/extra',
      headers: { 'x-admin-secret': SECRET },
    });
    expect(allowed.json()).toEqual({ ok: true });
  });

  it('refuses to build the check with an empty secret', () => {
    expect(() => requireAdmin('')).toThrow();
  });
});
