import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createPairedTokenStore, hashPairedToken } from '../../auth/paired-tokens.js';
import { createPairingGuard } from '../../auth/pairing.js';
import type { PairingGuard } from '../../auth/pairing.js';
import { isGatewayError } from '../../errors.js';
import type { LimitDecision, RateLimiter } from '../../limits/types.js';
import { createMemoryStateStore } from '../../state/memory-store.js';
import { pairRoutes } from './pair.js';

interface LogLine {
  level: string;
  args: unknown[];
}

const apps: FastifyInstance[] = [];
const SELF_ORIGIN = 'http://127.0.0.1:3000';

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

/** A minimal app: client key from a test header, errors shaped like the gateway's handler. */
async function buildApp(
  options: {
    limiter?: RateLimiter;
    persist?: (hash: string) => Promise<void>;
    register?: (hash: string, name: string | undefined) => Promise<void>;
  } = {},
) {
  const logs: LogLine[] = [];
  const logger = {
    debug: (...args: unknown[]) => logs.push({ level: 'debug', args }),
    info: (...args: unknown[]) => logs.push({ level: 'info', args }),
    warn: (...args: unknown[]) => logs.push({ level: 'warn', args }),
  };
  const tokens = createPairedTokenStore({ hashes: [] });
  const guard: PairingGuard = createPairingGuard({
    requirePairing: true,
    tokens,
    persist: options.persist ?? (async () => undefined),
    state: createMemoryStateStore(),
    random: () => 123_456,
    logger,
  });
  const app = Fastify();
  apps.push(app);
  app.decorateRequest('clientKey', '');
  app.addHook('onRequest', async (request) => {
    const key = request.headers['x-test-client'];
    request.clientKey = typeof key === 'string' ? key : '127.0.0.1';
  });
  app.setErrorHandler((error, _request, reply) => {
    if (!isGatewayError(error)) return reply.code(500).send({ error: 'Internal server error' });
    const retry = error.extra.retry_after;
    if (retry !== undefined) void reply.header('retry-after', String(retry));
    return reply.code(error.status).send(error.toBody());
  });
  await pairRoutes({
    guard,
    limiter: options.limiter ?? { hit: async () => ({ allowed: true }) },
    origins: { allowedOrigins: [], selfOrigins: () => [SELF_ORIGIN] },
    logger,
    devices: { register: options.register ?? (async () => undefined) },
  })(app);
  return { app, guard, tokens, logs };
}

function pair(
  app: FastifyInstance,
  code: string | undefined,
  client = '10.0.0.1',
  extra: Record<string, string> = {},
) {
  const headers: Record<string, string> = { ...extra, 'x-test-client': client };
  if (code !== undefined) headers['x-pairing-code'] = code;
  return app.inject({ method: 'POST', url: '/pair', headers });
}

describe('POST /pair', () => {
  it.each([
    [
      'records the X-Device-Name with the token hash',
      { 'x-device-name': ' Anna’s laptop ' },
      'Anna’s laptop',
    ],
    ['records no name without the header', {}, undefined],
    [
      'records no name for a name with a control character',
      { 'x-device-name': 'a\u0007b' },
      undefined,
    ],
  ])('%s', async (_name, headers: Record<string, string>, expected) => {
    const registered: Array<[string, string | undefined]> = [];
    const { app } = await buildApp({
      register: async (hash, name) => void registered.push([hash, name]),
    });
    const response = await pair(app, '123456', '10.0.0.1', headers);
    expect(response.statusCode).toBe(200);
    const token = (response.json() as { token: string }).token;
    expect(registered).toEqual([[hashPairedToken(token), expected]]);
  });

  it('still pairs when the device name cannot be recorded, and warns', async () => {
    const { app, logs } = await buildApp({
      register: async () => {
        throw new Error('disk full');
      },
    });
    expect((await pair(app, '123456')).statusCode).toBe(200);
    expect(logs.some((line) => line.level === 'warn')).toBe(true);
  });

  it('answers 200 with the token and the literal <token> in the message', async () => {
    const { app, tokens } = await buildApp();
    const response = await pair(app, '123456');
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const body = response.json<Record<string, unknown>>();
    expect(body).toEqual({
      paired: true,
      persisted: true,
      token: expect.stringMatching(/^gth_[0-9a-f]{64}$/),
      message: 'Save this token — use it as Authorization: Bearer <token>',
    });
    expect(tokens.list()).toEqual([hashPairedToken(body.token as string)]);
  });

  it('answers 403 for a wrong code', async () => {
    const { app } = await buildApp();
    const response = await pair(app, '000000');
    expect(response.statusCode).toBe(403);
    expect(response.json()).toEqual({
      error: 'Invalid pairing code',
      code: 'PAIRING_CODE_INVALID',
    });
  });

  it('answers 403 when the header is missing', async () => {
    const { app } = await buildApp();
    expect((await pair(app, undefined)).statusCode).toBe(403);
  });

  it('refuses the code a second time (single use)', async () => {
    const { app } = await buildApp();
    expect((await pair(app, '123456')).statusCode).toBe(200);
    expect((await pair(app, '123456', '10.0.0.2')).statusCode).toBe(403);
  });

  it('locks the client key after 3 failures with 429, Retry-After and the right code refused', async () => {
    const { app } = await buildApp();
    for (let i = 0; i < 3; i += 1) expect((await pair(app, '000000')).statusCode).toBe(403);
    const locked = await pair(app, '123456');
    expect(locked.statusCode).toBe(429);
    expect(locked.headers['retry-after']).toBe('300');
    expect(locked.json()).toEqual({
      error: 'Too many failed attempts. Try again in 300s.',
      code: 'PAIRING_LOCKED',
      retry_after: 300,
    });
    expect((await pair(app, '123456', '10.0.0.9')).statusCode).toBe(200);
  });

  it('answers 500 and keeps no token when persisting fails', async () => {
    const { app, tokens } = await buildApp({
      persist: async () => {
        throw new Error('EROFS: read-only file system');
      },
    });
    const response = await pair(app, '123456');
    expect(response.statusCode).toBe(500);
    expect(response.json<{ code: string }>().code).toBe('PAIRING_PERSIST_FAILED');
    expect(response.body).not.toMatch(/gth_/);
    expect(tokens.count()).toBe(0);
  });

  it('rate limits by client key before looking at the code', async () => {
    const seen: string[] = [];
    const limiter: RateLimiter = {
      hit: async (key): Promise<LimitDecision> => {
        seen.push(key);
        return { allowed: false, retryAfterSecs: 42 };
      },
    };
    const { app, guard } = await buildApp({ limiter });
    const response = await pair(app, '123456', '198.51.100.7');
    expect(response.statusCode).toBe(429);
    expect(response.headers['retry-after']).toBe('42');
    expect(response.json<{ code: string; retry_after: number }>()).toMatchObject({
      code: 'RATE_LIMITED',
      retry_after: 42,
    });
    expect(seen).toEqual(['198.51.100.7']);
    expect(guard.currentCode()).toBe('123456');
  });

  it('never logs the code or the token', async () => {
    const { app, logs } = await buildApp();
    await pair(app, '000000');
    const ok = await pair(app, '123456', '10.0.0.3');
    const token = ok.json<{ token: string }>().token;
    const logged = JSON.stringify(logs);
    expect(logs.length).toBeGreaterThan(0);
    expect(logged).not.toContain('123456');
    expect(logged).not.toContain('000000');
    expect(logged).not.toContain(token);
    expect(logged).not.toContain(token.slice(4, 20));
  });

  it('logs a wrong code at info with the request id and client key only, and a lockout once at warn', async () => {
    const { app, logs } = await buildApp();
    for (let i = 0; i < 6; i += 1) await pair(app, '000000', '10.0.0.5');
    expect(logs.filter((l) => l.level === 'info')).toEqual(
      Array.from({ length: 3 }, () => ({
        level: 'info',
        args: [{ reqId: expect.any(String), clientKey: '10.0.0.5' }, 'pairing code refused'],
      })),
    );
    expect(logs.filter((l) => l.level === 'warn')).toEqual([
      { level: 'warn', args: [{ clientKey: '10.0.0.5', lockoutSecs: 300 }, expect.any(String)] },
    ]);
    expect(logs.filter((l) => l.level === 'debug')).toHaveLength(3);
  });

  it.each<{ label: string; headers: Record<string, string>; status: number }>([
    { label: 'a foreign Origin', headers: { origin: 'https://evil.example' }, status: 403 },
    { label: 'a rebinding Origin', headers: { origin: 'http://evil.example:3000' }, status: 403 },
    { label: 'the gateway origin', headers: { origin: SELF_ORIGIN }, status: 200 },
    { label: 'no Origin', headers: {}, status: 200 },
  ])('answers $status for $label, before counting a failure', async ({ headers, status }) => {
    const { app, guard } = await buildApp();
    const response = await pair(app, '123456', '127.0.0.1', headers);
    expect(response.statusCode).toBe(status);
    if (status === 403) {
      expect(response.json()).toMatchObject({ code: 'ORIGIN_FORBIDDEN' });
      expect(response.json().error).toContain(JSON.stringify(headers.origin));
      // A refused cross-site request neither consumes the code nor counts toward a lockout.
      for (let i = 0; i < 3; i += 1) await pair(app, '000000', '127.0.0.1', headers);
      expect(guard.currentCode()).toBe('123456');
      expect((await pair(app, '123456', '127.0.0.1')).statusCode).toBe(200);
    }
  });
});
