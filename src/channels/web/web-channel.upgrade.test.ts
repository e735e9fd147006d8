import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Principal } from '../../core/types.js';
import { connectOk, connectWs } from '../../test-support/ws-client.js';
import {
  startWebGateway,
  TEST_ADMIN_SECRET,
  TEST_PAIRED_TOKEN,
} from '../../test-support/web-gateway.js';
import type { WebGateway, WebGatewayOptions } from '../../test-support/web-gateway.js';

const PAIRED = `Bearer ${TEST_PAIRED_TOKEN}`;
let gateway: WebGateway | undefined;

async function start(options: WebGatewayOptions = {}): Promise<WebGateway> {
  gateway = await startWebGateway(options);
  return gateway;
}

afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

describe('POST /ws/ticket and the ticket upgrade', () => {
  it('issues a 30 s single-use ticket that opens a session with a ready frame', async () => {
    const gw = await start();
    const response = await fetch(gw.httpUrl('/ws/ticket'), {
      method: 'POST',
      headers: { authorization: PAIRED },
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { ticket: string; expires_in: number };
    expect(body.expires_in).toBe(30);

    const client = await connectOk(gw.wsUrl(`/ws?ticket=${body.ticket}`));
    const ready = await client.next();
    expect(ready.type).toBe('ready');
    expect(ready.session_id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    client.ws.close();
  });

  it('refuses a ticket the second time it is used', async () => {
    const gw = await start();
    const ticket = await gw.ticketFor(PAIRED);
    const first = await connectOk(gw.wsUrl(`/ws?ticket=${ticket}`));
    const second = await connectWs(gw.wsUrl(`/ws?ticket=${ticket}`));
    expect(second).toMatchObject({ ok: false, status: 401 });
    expect(!second.ok && JSON.parse(second.body)).toMatchObject({ code: 'WS_TICKET_INVALID' });
    first.ws.close();
  });

  it('refuses a ticket request without a credential or with a JWT lacking channels:web', async () => {
    const gw = await start();
    const anonymous = await fetch(gw.httpUrl('/ws/ticket'), { method: 'POST' });
    expect(anonymous.status).toBe(401);
    const { token } = await gw.jwt.createToken({
      subject: 'user:a',
      scopes: ['channels:api'],
      expiresIn: 60,
    });
    const apiOnly = await fetch(gw.httpUrl('/ws/ticket'), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(apiOnly.status).toBe(403);
  });

  it('accepts a JWT with channels:web in the Authorization header of the upgrade', async () => {
    const gw = await start();
    const { token } = await gw.jwt.createToken({
      subject: 'user:a',
      scopes: ['channels:web'],
      expiresIn: 60,
    });
    const client = await connectOk(gw.wsUrl('/ws'), {
      headers: { authorization: `Bearer ${token}` },
    });
    expect((await client.next()).type).toBe('ready');
    client.ws.close();
  });

  it('refuses an upgrade without any credential', async () => {
    const gw = await start();
    expect(await connectWs(gw.wsUrl('/ws'))).toMatchObject({ ok: false, status: 401 });
  });

  it('refuses tokens in the query string before looking at them', async () => {
    const gw = await start();
    for (const param of ['token', 'access_token']) {
      const result = await connectWs(gw.wsUrl(`/ws?${param}=${TEST_PAIRED_TOKEN}`), {
        headers: { authorization: PAIRED },
      });
      expect(result).toMatchObject({ ok: false, status: 401 });
      expect(!result.ok && JSON.parse(result.body)).toMatchObject({ code: 'AUTH_TOKEN_IN_URL' });
    }
  });

  it('refuses upgrades on any other path', async () => {
    const gw = await start();
    const result = await connectWs(gw.wsUrl('/other'), { headers: { authorization: PAIRED } });
    expect(result).toMatchObject({ ok: false, status: 404 });
  });
});

describe('Origin policy at the upgrade', () => {
  it('refuses a foreign Origin with 403 before the upgrade, even with a valid ticket', async () => {
    const gw = await start({ web: { allowed_origins: ['https://chat.example.com'] } });
    const ticket = await gw.ticketFor(PAIRED);
    const result = await connectWs(gw.wsUrl(`/ws?ticket=${ticket}`), {
      origin: 'https://evil.example.com',
    });
    expect(result).toMatchObject({ ok: false, status: 403 });
    expect(!result.ok && JSON.parse(result.body)).toMatchObject({ code: 'ORIGIN_FORBIDDEN' });
    // The refused attempt did not consume the ticket: authentication never ran.
    const retry = await connectOk(gw.wsUrl(`/ws?ticket=${ticket}`), {
      origin: 'https://chat.example.com',
    });
    retry.ws.close();
  });

  it('refuses the null origin', async () => {
    const gw = await start();
    const result = await connectWs(gw.wsUrl('/ws'), {
      origin: 'null',
      headers: { authorization: PAIRED },
    });
    expect(result).toMatchObject({ ok: false, status: 403 });
  });

  it("accepts the gateway's own origin and an allowed origin", async () => {
    const gw = await start({ web: { allowed_origins: ['https://chat.example.com'] } });
    for (const origin of [
      `http://127.0.0.1:${gw.port}`,
      `http://localhost:${gw.port}`,
      'https://chat.example.com',
    ]) {
      const client = await connectOk(gw.wsUrl('/ws'), {
        origin,
        headers: { authorization: PAIRED },
      });
      expect((await client.next()).type).toBe('ready');
      client.ws.close();
    }
  });
});

describe('pre-auth hardening', () => {
  it('refuses the N+1th upgrade of one client while N are still authenticating', async () => {
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

    const third = await connectWs(gw.wsUrl(`/ws?ticket=${tickets[2]}`));
    expect(third).toMatchObject({ ok: false, status: 429 });

    held.forEach((release) => release());
    const opened = await Promise.all([first, second]);
    for (const result of opened) {
      expect(result.ok).toBe(true);
      if (result.ok) result.client.ws.close();
    }
  });

  it('closes a socket that sends half an upgrade request once the handshake deadline passes', async () => {
    const gw = await start({ timings: { handshakeTimeoutMs: 200 } });
    const socket = connect(gw.port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write('GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n');
    let received = '';
    socket.on('data', (data) => {
      received += String(data);
    });
    await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    expect(received).not.toContain('101');
  });
});

describe('admin session endpoints', () => {
  it('lists live sessions and kills one with close code 4002', async () => {
    const gw = await start();
    const client = await connectOk(gw.wsUrl('/ws'), { headers: { authorization: PAIRED } });
    const ready = await client.next();
    const admin = { 'x-admin-secret': TEST_ADMIN_SECRET };

    const denied = await fetch(gw.httpUrl('/admin/sessions'));
    expect(denied.status).toBe(403);
    const listed = (await (
      await fetch(gw.httpUrl('/admin/sessions'), { headers: admin })
    ).json()) as {
      sessions: Array<Record<string, unknown>>;
    };
    expect(listed.sessions).toEqual([
      expect.objectContaining({ session_id: ready.session_id, channel: 'web', agent: 'default' }),
    ]);

    const kill = await fetch(gw.httpUrl(`/admin/sessions/${String(ready.session_id)}`), {
      method: 'DELETE',
      headers: admin,
    });
    expect(kill.status).toBe(200);
    expect((await client.closed).code).toBe(4002);

    const again = await fetch(gw.httpUrl(`/admin/sessions/${String(ready.session_id)}`), {
      method: 'DELETE',
      headers: admin,
    });
    expect(again.status).toBe(404);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}
