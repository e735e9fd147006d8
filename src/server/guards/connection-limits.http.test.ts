import { afterEach, describe, expect, it } from 'vitest';
import {
  closeTestGateways,
  postMessage,
  send,
  startTestGateway,
} from '../../test-support/gateway-harness.js';
import type { TestGateway } from '../../test-support/gateway-harness.js';
import { eventually } from '../../test-support/live-gateway.js';
import { openSlowSocket, slowBodyStart } from '../../test-support/slow-sockets.js';
import type { SlowSocket } from '../../test-support/slow-sockets.js';

const opened: SlowSocket[] = [];

afterEach(async () => {
  for (const handle of opened.splice(0)) handle.socket.destroy();
  await closeTestGateways();
});

function portOf(gateway: TestGateway): number {
  return Number(new URL(gateway.url).port);
}

async function flood(
  gateway: TestGateway,
  count: number,
  localAddress: string,
  initial?: string,
): Promise<SlowSocket[]> {
  const sockets = await Promise.all(
    Array.from({ length: count }, () =>
      openSlowSocket({
        port: portOf(gateway),
        localAddress,
        ...(initial === undefined ? {} : { initial }),
      }),
    ),
  );
  opened.push(...sockets);
  return sockets;
}

const openCount = (sockets: SlowSocket[]): number => sockets.filter((s) => !s.closed()).length;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('connection limits over real sockets', () => {
  it('survives a slow-body flood from one client address: others are served, the flood is cut at the body deadline', async () => {
    const gateway = await startTestGateway({
      toml: [
        '[gateway]',
        'body_timeout_secs = 2',
        'max_connections_per_client = 8',
        'max_requests_per_client = 4',
        '',
      ].join('\n'),
    });
    const token = await gateway.pair();
    const sockets = await flood(gateway, 30, '127.0.0.2', slowBodyStart('/webhook'));
    // Four requests are in progress; every other one was refused (429 at once, or its socket
    // closed at accept while eight were open) and its socket is gone.
    await eventually(async () => openCount(sockets) === 4, 'all but four flood sockets closed');
    const refused = sockets.filter((s) => s.received().includes(' 429 '));
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]?.received()).toContain('"code":"TOO_MANY_REQUESTS"');
    expect(refused[0]?.received().toLowerCase()).toContain('retry-after: 1');

    // Another client address is served while the flood holds its sockets.
    expect((await send(gateway, '/health', { method: 'GET' })).status).toBe(200);
    const answer = await postMessage(gateway, 'still here', { token });
    expect(answer.body).toEqual({ response: 'echo: still here', model: 'echo', agent: 'default' });

    // At the body deadline the remaining flood requests get 408 and their sockets close.
    await eventually(async () => openCount(sockets) === 0, 'the flood to be closed', 6000);
    expect(sockets.filter((s) => s.received().includes(' 408 '))).toHaveLength(4);
  });

  it('closes sockets beyond max_connections_per_client from one peer at once', async () => {
    const gateway = await startTestGateway({
      toml: '[gateway]\nmax_connections_per_client = 8\n',
    });
    const silent = await flood(gateway, 20, '127.0.0.9');
    await eventually(async () => openCount(silent) === 8, 'twelve sockets refused');
    await sleep(200);
    expect(openCount(silent)).toBe(8);
    expect(silent.every((s) => s.received() === '')).toBe(true);
    // Other peers are not affected.
    expect((await send(gateway, '/health', { method: 'GET' })).status).toBe(200);
  });

  it('gives a peer its slots back as its sockets close', async () => {
    const gateway = await startTestGateway({
      toml: '[gateway]\nmax_connections_per_client = 4\n',
    });
    const first = await flood(gateway, 4, '127.0.0.11');
    await sleep(200);
    expect(openCount(first)).toBe(4);
    for (const handle of first.slice(0, 3)) handle.socket.destroy();
    await eventually(async () => openCount(first) === 1, 'three sockets closed');
    await sleep(100);
    // Three slots are free again, and a fourth new socket is over the cap.
    const second = await flood(gateway, 4, '127.0.0.11');
    await eventually(async () => openCount(second) === 3, 'one new socket refused');
    await sleep(200);
    expect(openCount(second)).toBe(3);
    expect(openCount(first)).toBe(1);
  });

  it('exempts trusted proxies from the per-peer socket cap', async () => {
    const gateway = await startTestGateway({
      toml: '[gateway]\nmax_connections_per_client = 8\ntrusted_proxies = ["127.0.0.10/32"]\n',
    });
    const viaProxy = await flood(gateway, 20, '127.0.0.10');
    await sleep(300);
    expect(openCount(viaProxy)).toBe(20);
  });

  it('answers 429 TOO_MANY_REQUESTS beyond max_requests_per_client and accepts again once they finish', async () => {
    const gateway = await startTestGateway({
      toml: '[gateway]\nbody_timeout_secs = 2\nmax_requests_per_client = 2\n',
    });
    const slow = await flood(gateway, 2, '127.0.0.3', slowBodyStart('/webhook'));
    await sleep(200);
    const third = await flood(gateway, 1, '127.0.0.3', slowBodyStart('/webhook'));
    await eventually(async () => third[0]?.closed() === true, 'the third request to be refused');
    expect(third[0]?.received()).toContain('HTTP/1.1 429 ');
    // A different client address is not counted against this one.
    const other = await flood(gateway, 1, '127.0.0.4', slowBodyStart('/webhook'));
    await sleep(200);
    expect(other[0]?.received()).toBe('');
    // Once the first two are gone, the client may send again.
    for (const handle of slow) handle.socket.destroy();
    await sleep(100);
    const again = await flood(gateway, 1, '127.0.0.3', slowBodyStart('/webhook'));
    await sleep(200);
    expect(again[0]?.received()).toBe('');
  });

  it('closes sockets beyond max_connections at once', async () => {
    const gateway = await startTestGateway({
      toml: '[gateway]\nmax_connections = 3\nmax_connections_per_client = 64\n',
    });
    const held = await flood(gateway, 3, '127.0.0.5');
    await sleep(100);
    expect(openCount(held)).toBe(3);
    const [extra] = await flood(
      gateway,
      1,
      '127.0.0.6',
      'GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n',
    );
    await eventually(async () => extra?.closed() === true, 'the extra socket to be closed');
    expect(extra?.received()).toBe('');
    for (const handle of held) handle.socket.destroy();
    await eventually(async () => {
      try {
        return (await send(gateway, '/health', { method: 'GET' })).status === 200;
      } catch {
        // Refused while Node still counts the held sockets as open: try again.
        return false;
      }
    }, 'service after the held sockets close');
  });

  it('answers 408 and closes the socket when a body is not complete within body_timeout_secs', async () => {
    const gateway = await startTestGateway({ toml: '[gateway]\nbody_timeout_secs = 1\n' });
    const [slow] = await flood(gateway, 1, '127.0.0.7', slowBodyStart('/pair'));
    await eventually(async () => slow?.closed() === true, 'the slow request to be closed', 4000);
    expect(slow?.received()).toContain('HTTP/1.1 408 ');
    expect(slow?.received()).toContain('"code":"REQUEST_TIMEOUT"');
  });

  it('does not cut a body that arrives within the deadline', async () => {
    const gateway = await startTestGateway({
      toml: '[gateway]\nbody_timeout_secs = 2\nrequire_pairing = false\n',
    });
    const body = '{"message":"slow but in time"}';
    const [client] = await flood(gateway, 1, '127.0.0.8', slowBodyStart('/webhook', body.length));
    await sleep(500);
    client?.socket.write(body.slice(1));
    await eventually(async () => client?.received().includes('\r\n\r\n{') === true, 'the answer');
    expect(client?.received()).toContain('HTTP/1.1 200 ');
    expect(client?.received()).toContain('echo: slow but in time');
  });
});
