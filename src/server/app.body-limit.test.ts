import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp } from '../test-support/app-harness.js';
import type { TestApp } from '../test-support/app-harness.js';
import { sendRawRequest } from '../test-support/raw-http.js';
import { SECURITY_HEADERS } from '../http/security-headers.js';
import type { RouteRegistrar } from './types.js';

const LIMIT = 65_536;
const apps: TestApp[] = [];

afterEach(async () => {
  await Promise.all(apps.splice(0).map((t) => t.close()));
});

/** A route behind an auth-like preHandler, counting how often each ran. */
async function start(): Promise<{ t: TestApp; calls: { auth: number; handler: number } }> {
  const calls = { auth: 0, handler: 0 };
  const routes: RouteRegistrar = (app) => {
    app.post(
      '/upload',
      {
        preHandler: async () => {
          calls.auth += 1;
        },
      },
      async (request) => {
        calls.handler += 1;
        return { bytes: request.rawBody.length };
      },
    );
  };
  const t = await startTestApp({ routes: [routes] });
  apps.push(t);
  return { t, calls };
}

const PAYLOAD_TOO_LARGE = { error: 'Request body too large', code: 'PAYLOAD_TOO_LARGE' };

function chunksOf(total: number, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let sent = 0; sent < total; sent += size) {
    chunks.push(Buffer.alloc(Math.min(size, total - sent), 0x61));
  }
  return chunks;
}

describe('body limit', () => {
  it('refuses a 70 KB body with Content-Length with 413 before auth or the handler', async () => {
    const { t, calls } = await start();
    const response = await sendRawRequest({
      port: t.port,
      method: 'POST',
      path: '/upload',
      headers: { 'content-type': 'application/json' },
      body: Buffer.alloc(70 * 1024, 0x61),
    });
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body)).toEqual(PAYLOAD_TOO_LARGE);
    expect(response.headers.connection).toBe('close');
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
      expect(response.headers[name], name).toBe(value);
    }
    expect(calls).toEqual({ auth: 0, handler: 0 });
  });

  it('refuses a 70 KB chunked body with 413 before auth or the handler', async () => {
    const { t, calls } = await start();
    const response = await sendRawRequest({
      port: t.port,
      method: 'POST',
      path: '/upload',
      headers: { 'content-type': 'application/json' },
      chunks: chunksOf(70 * 1024, 8 * 1024),
    });
    expect(response.status).toBe(413);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(response.body)).toEqual(PAYLOAD_TOO_LARGE);
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(calls).toEqual({ auth: 0, handler: 0 });
  });

  it('refuses an oversize body on an unknown path with 413 too', async () => {
    const { t } = await start();
    const response = await sendRawRequest({
      port: t.port,
      method: 'POST',
      path: '/nowhere',
      body: Buffer.alloc(LIMIT + 1),
    });
    expect(response.status).toBe(413);
  });

  it('accepts a body of exactly the limit, chunked or not', async () => {
    const { t, calls } = await start();
    const plain = await sendRawRequest({
      port: t.port,
      method: 'POST',
      path: '/upload',
      body: Buffer.alloc(LIMIT, 0x62),
    });
    const chunked = await sendRawRequest({
      port: t.port,
      method: 'POST',
      path: '/upload',
      chunks: chunksOf(LIMIT, 10_000),
    });
    expect([plain.status, chunked.status]).toEqual([200, 200]);
    expect(JSON.parse(plain.body)).toEqual({ bytes: LIMIT });
    expect(JSON.parse(chunked.body)).toEqual({ bytes: LIMIT });
    expect(calls).toEqual({ auth: 2, handler: 2 });
  });
});
