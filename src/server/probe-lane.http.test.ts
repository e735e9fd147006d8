import type * as Dns from 'node:dns';
import { createRequire } from 'node:module';
import { connect, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CORE_COMPONENTS } from '../runtime/health-registry.js';
import { startTestApp } from '../test-support/app-harness.js';
import type { TestApp, TestAppOptions } from '../test-support/app-harness.js';
import type { RouteRegistrar } from './types.js';

const apps: TestApp[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((t) => t.close()));
});

/**
 * An app whose framework path counts the requests it sees (an onRequest hook) and has a route
 * that stays in progress until released, to put a client at its cap or hold a close open.
 */
async function start(options: TestAppOptions = {}, { holdClose = false } = {}) {
  const seen: string[] = [];
  let release = (): void => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  let openClose = (): void => undefined;
  const closeGate = new Promise<void>((resolve) => (openClose = resolve));
  const routes: RouteRegistrar[] = [
    (app) => {
      app.addHook('onRequest', async (request) => {
        seen.push(`${request.method} ${request.url}`);
      });
      // The server keeps listening until every preClose hook is done.
      if (holdClose) app.addHook('preClose', (done) => void closeGate.then(() => done()));
      app.get('/held', async () => {
        await held;
        return { held: false };
      });
    },
  ];
  const t = await startTestApp({ ...options, routes });
  apps.push(t);
  for (const name of CORE_COMPONENTS) t.health.report(name, 'ok');
  return { t, seen, release, openClose };
}

// The module object the framework calls (a namespace import could not be spied on).
const dns = createRequire(import.meta.url)('node:dns') as typeof Dns;

const PROBE_PATHS = ['/health', '/livez', '/readyz'];
/** Headers that differ between any two responses. */
const PER_RESPONSE = new Set(['date', 'x-request-id']);

describe('probe lane', () => {
  it.each(PROBE_PATHS)(
    'answers GET %s without the framework, exactly as the framework route does',
    async (path) => {
      const { t, seen } = await start();
      const lane = await fetch(`${t.baseUrl}${path}`);
      expect(seen).toEqual([]);
      const framework = await fetch(`${t.baseUrl}${path}?via=framework`);
      expect(seen).toEqual([`GET ${path}?via=framework`]);
      expect(lane.status).toBe(framework.status);
      expect(await lane.text()).toBe(await framework.text());
      const comparable = (response: Response) => {
        const headers: Array<[string, string]> = [];
        response.headers.forEach((value, name) => {
          if (!PER_RESPONSE.has(name)) headers.push([name, value]);
        });
        return headers;
      };
      expect(comparable(lane)).toEqual(comparable(framework));
      expect(lane.headers.get('x-request-id')).toMatch(/^[0-9a-f]{8}-\w+$/);
    },
  );

  it('gives each answer its own request id and records it in metrics and the access log', async () => {
    const { t } = await start({ config: { observability: { access_log: true } } });
    const ids = [];
    for (let i = 0; i < 2; i += 1) {
      ids.push((await fetch(`${t.baseUrl}/health`)).headers.get('x-request-id'));
    }
    expect(new Set(ids).size).toBe(2);
    const recorded = t.events.filter((event) => event.type === 'RequestLatency');
    expect(recorded).toEqual([
      expect.objectContaining({ route: '/health', method: 'GET', status: 200 }),
      expect.objectContaining({ route: '/health', method: 'GET', status: 200 }),
    ]);
    const lines = t.logLines.filter((line) => line.msg === 'request');
    expect(lines.map((line) => line.reqId)).toEqual(ids);
    expect(lines[0]).toMatchObject({ route: '/health', status: 200, client: '127.0.0.1' });
    const metrics = await (await fetch(`${t.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(
      /gatehouse_http_requests_total\{route="\/health",method="GET",status="200"\} 2/,
    );
  });

  it('answers 503 from the lane when a component has failed', async () => {
    const { t, seen } = await start();
    t.health.report('heartbeat', 'error');
    const response = await fetch(`${t.baseUrl}/health`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ status: 'error' });
    expect(seen).toEqual([]);
  });

  it('leaves HEAD, a Host not served here and a refused /readyz to the framework', async () => {
    let stopping = false;
    const { t, seen } = await start({ isShuttingDown: () => stopping });
    const head = await fetch(`${t.baseUrl}/health`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await rawGet(t.port, '/livez', 'evil.example')).toMatch(/^HTTP\/1\.1 421 /);
    stopping = true;
    const readyz = await fetch(`${t.baseUrl}/readyz`);
    expect(readyz.status).toBe(503);
    expect(await readyz.json()).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    // The Host check refuses before the counting hook runs; a 421 is the framework's answer.
    expect(seen).toEqual(['HEAD /health', 'GET /readyz']);
  });

  it('refuses a probe with 429 while its client is at its cap of requests in progress', async () => {
    const { t, seen, release } = await start({
      config: { gateway: { max_requests_per_client: 1 } },
    });
    const held = fetch(`${t.baseUrl}/held`);
    await waitFor(() => seen.includes('GET /held'));
    const refused = await fetch(`${t.baseUrl}/health`);
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
    release();
    expect((await held).status).toBe(200);
    expect((await fetch(`${t.baseUrl}/health`)).status).toBe(200);
  });

  it('leaves a probe to the framework (503) once the server has begun to close', async () => {
    const { t, seen, openClose } = await start({}, { holdClose: true });
    expect((await fetch(`${t.baseUrl}/health`)).status).toBe(200);
    const closed = t.close();
    const during = await fetch(`${t.baseUrl}/health`);
    expect(during.status).toBe(503);
    expect(during.headers.get('connection')).toBe('close');
    expect(seen).toEqual([]);
    openClose();
    await closed;
  });
});

async function rawGet(port: number, path: string, host: string): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  let received = '';
  socket.setEncoding('latin1').on('data', (chunk: string) => (received += chunk));
  socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
  await new Promise((resolve) => socket.on('close', resolve));
  return received;
}

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  expect(condition()).toBe(true);
}

describe('probe lane on a host name with two addresses', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('keeps the second listener the framework binds for localhost, with probes on both', async () => {
    // Whatever this machine's resolver says, "localhost" resolves to both loopback addresses here.
    const lookup = dns.lookup.bind(dns);
    vi.spyOn(dns, 'lookup').mockImplementation(((
      hostname: string,
      options: unknown,
      callback: (...args: unknown[]) => void,
    ) => {
      if (hostname === 'localhost' && (options as { all?: boolean }).all === true) {
        callback(null, [
          { address: '127.0.0.1', family: 4 },
          { address: '::1', family: 6 },
        ]);
        return;
      }
      (lookup as (...args: unknown[]) => void)(hostname, options, callback);
    }) as unknown as typeof dns.lookup);
    const { t } = await start({ host: 'localhost' });
    const bound = t.app.addresses().map((address) => (address as AddressInfo).address);
    expect(bound).toEqual(expect.arrayContaining(['127.0.0.1', '::1']));
    for (const host of ['127.0.0.1', '[::1]']) {
      const response = await fetch(`http://${host}:${t.port}/health`);
      expect(response.status).toBe(200);
      expect(response.headers.get('x-request-id')).not.toBeNull();
    }
  });
});
