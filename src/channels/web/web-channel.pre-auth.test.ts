import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Principal } from '../../core/types.js';
import { connectOk, connectWs } from '../../test-support/ws-client.js';
import { startWebGateway, TEST_PAIRED_TOKEN } from '../../test-support/web-gateway.js';
import type { WebGateway, WebGatewayOptions } from '../../test-support/web-gateway.js';
import { ask, within } from '../../test-support/ws-session.js';

/*
 * Pre-authentication hardening on a real listening server, driven by raw TCP sockets where the
 * attack needs bytes a normal client would never send (half a request, dribbled headers).
 */

const PAIRED = `Bearer ${TEST_PAIRED_TOKEN}`;
const PARTIAL_UPGRADE = 'GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n';
let gateway: WebGateway | undefined;
const sockets: Socket[] = [];

async function start(options: WebGatewayOptions = {}): Promise<WebGateway> {
  gateway = await startWebGateway(options);
  return gateway;
}

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await gateway?.close();
  gateway = undefined;
});

/** A raw socket to the gateway that records what it receives and when it closes. */
interface RawClient {
  socket: Socket;
  received: () => string;
  closed: Promise<void>;
  isClosed: () => boolean;
}

async function rawClient(port: number): Promise<RawClient> {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  let received = '';
  let isClosed = false;
  socket.on('data', (data) => {
    received += String(data);
  });
  // The server destroying the socket shows up as a reset on some platforms; that is the point.
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      isClosed = true;
      resolve();
    }),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, received: () => received, closed, isClosed: () => isClosed };
}

function serverConnections(gw: WebGateway): Promise<number> {
  return new Promise((resolve, reject) =>
    gw.app.server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
  );
}

/** Waits until the server has accepted (or dropped) sockets down to exactly `count`. */
async function untilServerHolds(gw: WebGateway, count: number): Promise<void> {
  while ((await serverConnections(gw)) !== count) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('pending sockets per peer', () => {
  it('destroys the N+1th socket of one peer within the short grace while N send only part of their headers', async () => {
    // A deadline far beyond the test's waits: any close seen here comes from the cap.
    const gw = await start({
      web: { max_pending_per_client: 3 },
      timings: { handshakeTimeoutMs: 120_000 },
    });
    const held: RawClient[] = [];
    for (let i = 0; i < 3; i += 1) {
      const client = await rawClient(gw.port);
      client.socket.write(PARTIAL_UPGRADE);
      held.push(client);
      await untilServerHolds(gw, i + 1);
    }

    const over = await rawClient(gw.port);
    over.socket.write(PARTIAL_UPGRADE);
    await within(over.closed, 5000, 'the over-cap socket to be destroyed');
    expect(over.received()).toBe('');
    expect(held.map((client) => client.isClosed())).toEqual([false, false, false]);

    // A freed slot admits the next socket, which gets an answer to a complete request.
    held[0]?.socket.destroy();
    await untilServerHolds(gw, 2);
    const next = await rawClient(gw.port);
    next.socket.write('GET /nothing HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    await within(next.closed, 5000, 'the answer to a complete request');
    expect(next.received()).toMatch(/^HTTP\/1\.1 404 /);
  });

  it('destroys the N+1th upgrade of one peer while N are still authenticating', async () => {
    // The grace an over-cap socket gets, not the full deadline, ends the third upgrade.
    const held: Array<() => void> = [];
    const gw = await start({
      web: { max_pending_per_client: 2 },
      wrapTickets: (tickets) => ({
        issue: (principal) => tickets.issue(principal),
        consume: async (ticket): Promise<Principal> => {
          await new Promise<void>((release) => held.push(release));
          return tickets.consume(ticket);
        },
      }),
    });
    const tickets = await Promise.all([1, 2, 3].map(() => gw.ticketFor(PAIRED)));
    const first = connectWs(gw.wsUrl(`/ws?ticket=${tickets[0]}`));
    const second = connectWs(gw.wsUrl(`/ws?ticket=${tickets[1]}`));
    await waitFor(() => held.length === 2);

    await expect(connectWs(gw.wsUrl(`/ws?ticket=${tickets[2]}`))).rejects.toThrow();

    held.forEach((release) => release());
    const opened = await Promise.all([first, second]);
    for (const result of opened) {
      expect(result.ok).toBe(true);
      if (result.ok) result.client.ws.close();
    }
    // Both slots were released by the completed upgrades.
    const again = await connectOk(gw.wsUrl('/ws'), { headers: { authorization: PAIRED } });
    again.ws.close();
  });

  it('lets a burst of complete requests past the cap and does not count finished ones', async () => {
    const gw = await start({ web: { max_pending_per_client: 2 } });
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        fetch(gw.httpUrl('/ws/ticket'), { method: 'POST', headers: { authorization: PAIRED } }),
      ),
    );
    expect(results.map((response) => response.status)).toEqual(Array(8).fill(200));
  });
});

describe('handshake deadline', () => {
  it('closes a socket that sends half an upgrade request once the deadline passes', async () => {
    const gw = await start({ timings: { handshakeTimeoutMs: 200 } });
    const client = await rawClient(gw.port);
    client.socket.write(PARTIAL_UPGRADE);
    await within(client.closed, 5000, 'the deadline close');
    expect(client.received()).not.toContain('101');
  });

  it('re-arms the deadline on a keep-alive socket: dribbling the second request is cut off', async () => {
    const gw = await start({ timings: { handshakeTimeoutMs: 300 } });
    const client = await rawClient(gw.port);
    client.socket.write('GET /nothing HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await waitFor(() => /^HTTP\/1\.1 404 [^]*\r\n\r\n\{[^]*\}$/.test(client.received()));
    expect(client.isClosed()).toBe(false);

    // One header line every 50 ms keeps any idle timer fresh; only an absolute deadline ends it.
    client.socket.write(PARTIAL_UPGRADE);
    let line = 0;
    const dribble = setInterval(() => {
      if (!client.isClosed()) client.socket.write(`X-Dribble-${line++}: x\r\n`);
    }, 50);
    try {
      await within(client.closed, 5000, 'the keep-alive deadline close');
    } finally {
      clearInterval(dribble);
    }
    expect(client.received()).not.toContain('101');
  });

  it('keeps keep-alive fetch working across the deadline: the idle socket is advertised and retired', async () => {
    const gw = await start({ timings: { handshakeTimeoutMs: 300 } });
    const first = await fetch(gw.httpUrl('/ws/ticket'), {
      method: 'POST',
      headers: { authorization: PAIRED },
    });
    expect(first.status).toBe(200);
    expect(first.headers.get('keep-alive')).toBe('timeout=0');
    await first.json();
    await new Promise((resolve) => setTimeout(resolve, 600));
    const second = await fetch(gw.httpUrl('/ws/ticket'), {
      method: 'POST',
      headers: { authorization: PAIRED },
    });
    expect(second.status).toBe(200);
  });

  it('never applies the deadline to an authenticated session', async () => {
    const gw = await start({ timings: { handshakeTimeoutMs: 200 } });
    const client = await connectOk(gw.wsUrl('/ws'), { headers: { authorization: PAIRED } });
    expect((await client.next()).type).toBe('ready');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await ask(client, 'm1', 'still open')).done).toMatchObject({ type: 'done' });
    client.ws.close();
  });
});
