import { Agent } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp } from '../test-support/app-harness.js';
import type { TestApp } from '../test-support/app-harness.js';
import { sendRawRequest } from '../test-support/raw-http.js';
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

async function waitUntilNotListening(t: TestApp): Promise<void> {
  for (let i = 0; i < 1000 && t.app.server.listening; i++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
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
    await waitUntilNotListening(t);

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
});
