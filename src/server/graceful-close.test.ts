import { Agent } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp } from '../test-support/app-harness.js';
import type { TestApp } from '../test-support/app-harness.js';
import {
  parseRawResponse,
  readUntilClosed,
  sendRawRequest,
  untilNotListening,
} from '../test-support/raw-http.js';
import { SECURITY_HEADERS } from '../http/security-headers.js';
import { closeGracefully } from './graceful-close.js';
import type { RouteRegistrar } from './types.js';

const apps: TestApp[] = [];
const agents: Agent[] = [];

afterEach(async () => {
  for (const agent of agents.splice(0)) agent.destroy();
  await Promise.all(apps.splice(0).map((t) => t.close()));
});

/** A route that holds its response until the test releases it. */
function gatedRoute(): { routes: RouteRegistrar; started: Promise<void>; release: () => void } {
  let release: () => void = () => undefined;
  let markStarted: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const gate = new Promise<void>((resolve) => (release = resolve));
  const routes: RouteRegistrar = (app) => {
    app.get('/slow', async () => {
      markStarted();
      await gate;
      return { done: true };
    });
    app.post('/posted', async () => ({ done: true }));
  };
  return { routes, started, release: () => release() };
}

function tryConnect(port: number): Promise<'connected' | string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });
}

describe('closeGracefully', () => {
  it('finishes an in-flight request with 200 while refusing new connections', async () => {
    const gated = gatedRoute();
    const t = await startTestApp({ routes: [gated.routes] });
    apps.push(t);
    const agent = new Agent({ keepAlive: true });
    agents.push(agent);

    const inFlight = sendRawRequest({ port: t.port, path: '/slow', agent });
    await gated.started;
    const closing = closeGracefully(t.app, 30_000);
    await untilNotListening(t.app.server);

    expect(await tryConnect(t.port)).toBe('ECONNREFUSED');
    gated.release();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ done: true });
    // The keep-alive socket goes idle after the response and must not hold the close open.
    expect(await closing).toEqual({ forced: false });
  });

  it('cuts connections still open at the deadline', async () => {
    const gated = gatedRoute();
    const t = await startTestApp({ routes: [gated.routes] });
    apps.push(t);

    const inFlight = sendRawRequest({ port: t.port, path: '/slow' }).then(
      () => 'answered',
      (error: NodeJS.ErrnoException) => error.code ?? 'error',
    );
    await gated.started;
    expect(await closeGracefully(t.app, 50)).toEqual({ forced: true });
    expect(await inFlight).toBe('ECONNRESET');
    gated.release();
  });

  it.each([
    ['a probe', 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', '/health'],
    [
      'a post with a body',
      'POST /posted HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
        'Content-Length: 2\r\n\r\n{}',
      '/posted',
    ],
    ['a path no route serves', 'GET /nowhere HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 'unmatched'],
  ])(
    'refuses %s arriving during the drain with 503 SERVICE_UNAVAILABLE, as every error is answered',
    async (_name, request, route) => {
      const gated = gatedRoute();
      const t = await startTestApp({ routes: [gated.routes] });
      apps.push(t);
      const socket = connect(t.port, '127.0.0.1');
      const received = readUntilClosed(socket);
      socket.write('GET /slow HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      await gated.started;
      const closing = closeGracefully(t.app, 30_000);
      // The connection is busy, so the drain keeps it open: a request can still arrive on it.
      socket.write(request);
      await new Promise((resolve) => setTimeout(resolve, 50));
      gated.release();

      const text = await received;
      const second = text.indexOf('HTTP/1.1 ', 1);
      expect(parseRawResponse(text.slice(0, second)).status).toBe(200);
      const refused = parseRawResponse(text.slice(second));
      expect(refused.status).toBe(503);
      expect(JSON.parse(refused.body)).toMatchObject({
        code: 'SERVICE_UNAVAILABLE',
        request_id: refused.headers.get('x-request-id'),
      });
      expect(refused.headers.get('connection')).toBe('close');
      expect(refused.headers.get('content-type')).toBe('application/json; charset=utf-8');
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
        expect(refused.headers.get(name)).toBe(value);
      }
      expect(await closing).toEqual({ forced: false });
      // Refusing requests is what a drain is for: not logged or counted as a failure.
      expect(t.logLines.filter((line) => (line.level as number) >= 40)).toEqual([]);
      expect(t.events.filter((event) => event.type === 'Error')).toEqual([]);
      const metrics = await t.metrics?.render();
      expect(metrics).toContain(`route="${route}",method="${request.split(' ')[0]}",status="503"`);
    },
  );
});
