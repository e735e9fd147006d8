import type { IncomingMessage } from 'node:http';
import { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { sendRawRequest } from '../../test-support/raw-http.js';
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

  it('sends the security headers on the 101 as on every other response', async () => {
    const gw = await start();
    const ws = new WebSocket(gw.wsUrl('/ws'), { headers: { authorization: PAIRED } });
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      ws.once('upgrade', resolve);
      ws.once('error', reject);
    });
    ws.close();
    expect(response.statusCode).toBe(101);
    expect(response.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-origin',
    });
    expect(response.headers['content-security-policy']).toMatch(/default-src 'none'/);
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

  it('refuses credential-like query parameters, in any case, before looking at them', async () => {
    const gw = await start();
    for (const param of ['token', 'access_token', 'Token', 'api_key', 'AUTH']) {
      const result = await connectWs(gw.wsUrl(`/ws?${param}=${TEST_PAIRED_TOKEN}`), {
        headers: { authorization: PAIRED },
      });
      expect(result).toMatchObject({ ok: false, status: 401 });
      expect(!result.ok && JSON.parse(result.body)).toMatchObject({ code: 'AUTH_TOKEN_IN_URL' });
    }
  });

  it('refuses ?Token= and ?api_key= on POST /ws/ticket even with a valid header', async () => {
    const gw = await start();
    for (const query of ['?Token=x', '?api_key=x', '?ACCESS_TOKEN=x']) {
      const response = await fetch(gw.httpUrl(`/ws/ticket${query}`), {
        method: 'POST',
        headers: { authorization: PAIRED },
      });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ code: 'AUTH_TOKEN_IN_URL' });
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

  it('refuses a foreign Origin with the six security headers on the raw 403', async () => {
    const gw = await start();
    const refused = await sendRawRequest({
      port: gw.port,
      path: '/ws',
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        origin: 'https://evil.example.com',
        authorization: PAIRED,
      },
    });
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body)).toMatchObject({ code: 'ORIGIN_FORBIDDEN' });
    expect(refused.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-origin',
    });
  });

  it('refuses a malformed handshake with JSON and security headers, keeping the ticket', async () => {
    const gw = await start();
    const ticket = await gw.ticketFor(PAIRED);
    const refused = await sendRawRequest({
      port: gw.port,
      path: `/ws?ticket=${ticket}`,
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': 'too-short',
      },
    });
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.body)).toMatchObject({ code: 'BAD_REQUEST' });
    expect(refused.headers).toMatchObject({ 'x-content-type-options': 'nosniff' });
    // Refused before authentication ran, so the single-use ticket is still good.
    const client = await connectOk(gw.wsUrl(`/ws?ticket=${ticket}`));
    client.ws.close();
  });

  it('answers what ws itself refuses (a bad Sec-WebSocket-Protocol) the same way', async () => {
    const gw = await start();
    const refused = await sendRawRequest({
      port: gw.port,
      path: '/ws',
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        'sec-websocket-protocol': 'chat,,bad protocol',
        authorization: PAIRED,
      },
    });
    expect(refused.status).toBe(400);
    expect(refused.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(refused.body)).toMatchObject({ code: 'BAD_REQUEST' });
    expect(refused.headers).toMatchObject({ 'x-frame-options': 'DENY' });
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
