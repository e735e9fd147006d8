import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startCli, useBuiltCli } from '../test-support/gatehouse-process.js';

const sockets: Socket[] = [];

async function gateway(extraToml = ''): Promise<Awaited<ReturnType<typeof startCli>>> {
  return startCli([], cli.tempHome(`[gateway]\nport = 0\n${extraToml}`).env);
}

// Registered before useBuiltCli's hooks, so it runs after them: the gateways are gone first.
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.destroy();
});
const cli = useBuiltCli();

/** Sends a body with Transfer-Encoding: chunked (no Content-Length) and returns the status. */
function postChunked(url: string, path: string, size: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
    });
    req.on('response', (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    // The server may answer 413 and close before the whole body is written.
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
    });
    const chunk = Buffer.alloc(1024, 'a');
    for (let sent = 0; sent < size; sent += chunk.length) req.write(chunk);
    req.end();
  });
}

/** Polls until a new connection is refused (the listener is closed); false if it never is. */
async function listenerClosed(url: string): Promise<boolean> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    try {
      const response = await fetch(`${url}/health`, { headers: { connection: 'close' } });
      await response.body?.cancel();
    } catch {
      // ECONNREFUSED: the listener is gone, which is what this waits for.
      return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return false;
}

describe('gatehouse start over HTTP', () => {
  it('refuses a 70 KB body with 413, with Content-Length and chunked', async () => {
    const { url } = await gateway();
    const body = JSON.stringify({ message: 'a'.repeat(70 * 1024) });
    const response = await fetch(`${url}/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      error: expect.any(String),
      code: 'PAYLOAD_TOO_LARGE',
    });
    expect(await postChunked(url, '/webhook', 70 * 1024)).toBe(413);
  });

  it('answers 404 and 405 with JSON error bodies and security headers', async () => {
    const { url } = await gateway();
    const notFound = await fetch(`${url}/no-such-path`);
    expect(notFound.status).toBe(404);
    expect(await notFound.json()).toEqual({ error: expect.any(String), code: 'NOT_FOUND' });
    const wrongMethod = await fetch(`${url}/health`, { method: 'DELETE' });
    expect(wrongMethod.status).toBe(405);
    expect(await wrongMethod.json()).toEqual({
      error: expect.any(String),
      code: 'METHOD_NOT_ALLOWED',
    });
    for (const response of [notFound, wrongMethod, await fetch(`${url}/health`)]) {
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
      expect(response.headers.get('cross-origin-opener-policy')).toBeTruthy();
      expect(response.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    }
  });

  it('serves Prometheus text on /metrics with the prometheus backend', async () => {
    const { url } = await gateway();
    await fetch(`${url}/health`);
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await response.text()).toContain('gatehouse_http_requests_total');
  });

  it('answers /metrics with the fixed notice when the backend is "log"', async () => {
    const { url } = await gateway('[observability]\nbackend = "log"\n');
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(
      '# Prometheus backend not enabled. Set [observability] backend = "prometheus" in config.',
    );
  });

  it('finishes an in-flight request after SIGTERM, refuses new connections, exits 0', async () => {
    const cli = await gateway();
    const { port } = new URL(cli.url);
    const socket = connect(Number(port), '127.0.0.1');
    sockets.push(socket);
    let received = '';
    const gotContinue = new Promise<void>((resolve) => {
      socket.setEncoding('utf8').on('data', (chunk: string) => {
        received += chunk;
        if (received.includes('100 Continue')) resolve();
      });
    });
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    const body = '{"message":"hello"}';
    // "Expect: 100-continue" makes the server confirm it has parsed the headers, so the request
    // is provably in flight before the signal.
    socket.write(
      `POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${body.length}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`,
    );
    await gotContinue;
    socket.write(body.slice(0, 5));

    cli.child.kill('SIGTERM');
    await cli.waitFor(/shutting down/);
    expect(await listenerClosed(cli.url)).toBe(true);

    // Nothing but "100 Continue" yet: the request really was still in flight at the signal.
    expect(received).not.toMatch(/HTTP\/1\.1 [2-5]\d\d/);
    socket.write(body.slice(5));
    await closed;
    const finalStatus = received.split('\r\n').filter((line) => /^HTTP\/1\.1 \d{3}/.test(line));
    expect(finalStatus.at(-1)).toMatch(/^HTTP\/1\.1 [2-5]\d\d /);
    expect(await cli.exited).toBe(0);
  });
});
