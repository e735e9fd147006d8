import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { isGatewayError } from '../errors.js';
import { startTestApp } from '../test-support/app-harness.js';
import type { TestApp } from '../test-support/app-harness.js';
import { sendRawRequest } from '../test-support/raw-http.js';
import type { RouteRegistrar } from './types.js';

const apps: TestApp[] = [];

afterEach(async () => {
  await Promise.all(apps.splice(0).map((t) => t.close()));
});

/** What the slow route saw once its work signal fired. */
interface Observed {
  aborted: boolean;
  reason: unknown;
  handlerFinished: boolean;
}

/** A route whose "downstream work" waits for the work signal, then tries to reply anyway. */
function slowRoute(onAbort: (seen: Observed) => void, onStart?: () => void): RouteRegistrar {
  return (app) => {
    app.post('/slow', async (request) => {
      const signal = request.workSignal;
      onStart?.();
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
      // Yield so the 408 has been written before the handler returns its late result.
      await new Promise((resolve) => setTimeout(resolve, 20));
      onAbort({ aborted: signal.aborted, reason: signal.reason, handlerFinished: true });
      return { late: true };
    });
    app.get('/fast', async () => ({ ok: true }));
  };
}

describe('request timeout', () => {
  it('aborts the work signal and answers 408 REQUEST_TIMEOUT', async () => {
    let resolveSeen: (seen: Observed) => void = () => undefined;
    const seen = new Promise<Observed>((resolve) => (resolveSeen = resolve));
    const t = await startTestApp({ routes: [slowRoute(resolveSeen)], requestTimeoutMs: 100 });
    apps.push(t);

    const response = await sendRawRequest({
      port: t.port,
      method: 'POST',
      path: '/slow',
      headers: { 'content-type': 'application/json' },
      body: '{"message":"hi"}',
    });
    expect(response.status).toBe(408);
    expect(JSON.parse(response.body)).toEqual({
      error: 'Request timed out',
      code: 'REQUEST_TIMEOUT',
    });
    expect(response.headers['x-content-type-options']).toBe('nosniff');

    const observed = await seen;
    expect(observed.aborted).toBe(true);
    expect(isGatewayError(observed.reason) && observed.reason.code).toBe('REQUEST_TIMEOUT');
  });

  it('hands an already aborted signal to a route that reads it after the timeout', async () => {
    let resolveReason: (reason: unknown) => void = () => undefined;
    const reason = new Promise<unknown>((resolve) => (resolveReason = resolve));
    const lateReader: RouteRegistrar = (app) => {
      app.get('/late', async (request, reply) => {
        await new Promise((resolve) => reply.raw.once('close', resolve));
        const signal = request.workSignal;
        resolveReason(signal.aborted ? signal.reason : 'not aborted');
        return null;
      });
    };
    const t = await startTestApp({ routes: [lateReader], requestTimeoutMs: 50 });
    apps.push(t);
    expect((await sendRawRequest({ port: t.port, path: '/late' })).status).toBe(408);
    const seen = await reason;
    expect(isGatewayError(seen) && seen.code).toBe('REQUEST_TIMEOUT');
  });

  it('survives the handler finishing after the 408 and keeps serving', async () => {
    let finished: () => void = () => undefined;
    const handlerDone = new Promise<void>((resolve) => (finished = resolve));
    const t = await startTestApp({ routes: [slowRoute(() => finished())], requestTimeoutMs: 50 });
    apps.push(t);

    const first = await sendRawRequest({ port: t.port, method: 'POST', path: '/slow', body: '' });
    expect(first.status).toBe(408);
    await handlerDone;
    const next = await sendRawRequest({ port: t.port, path: '/fast' });
    expect(next.status).toBe(200);
    expect(t.events.filter((e) => e.type === 'RequestLatency')).toHaveLength(2);
  });

  it('does not time out a request that completes in time', async () => {
    const t = await startTestApp({ routes: [slowRoute(() => undefined)], requestTimeoutMs: 5_000 });
    apps.push(t);
    const response = await sendRawRequest({ port: t.port, path: '/fast' });
    expect(response.status).toBe(200);
  });

  it('aborts the work signal when the client disconnects', async () => {
    let resolveSeen: (seen: Observed) => void = () => undefined;
    const seen = new Promise<Observed>((resolve) => (resolveSeen = resolve));
    let started: () => void = () => undefined;
    const running = new Promise<void>((resolve) => (started = resolve));
    const t = await startTestApp({
      routes: [slowRoute(resolveSeen, started)],
      requestTimeoutMs: 60_000,
    });
    apps.push(t);

    const req = httpRequest({ host: '127.0.0.1', port: t.port, method: 'POST', path: '/slow' });
    req.on('error', () => {
      // ECONNRESET after the deliberate destroy below is the point of this test.
    });
    req.end('{}');
    await running;
    req.destroy();

    const observed = await seen;
    expect(observed.aborted).toBe(true);
    expect(isGatewayError(observed.reason) && observed.reason.code).toBe('MESSAGE_CANCELLED');
  });
});
