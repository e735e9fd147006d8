import { afterEach, describe, expect, it } from 'vitest';
import type { TestGateway } from '../../test-support/gateway-harness.js';
import { closeTestGateways, send, startTestGateway } from '../../test-support/gateway-harness.js';
import { connectWs } from '../../test-support/ws-client.js';

afterEach(closeTestGateways);

const EVIL = 'https://evil.example';
/** The refusal names the origin and both keys that can allow it. */
function forbidden(origin: string | undefined) {
  return {
    code: 'ORIGIN_FORBIDDEN',
    error: `Origin ${JSON.stringify(origin)} is not allowed; set gateway.public_url if it is the address users open the gateway at, or add it to channels_config.web.allowed_origins`,
  };
}

/** Pairing off: the case where a cross-site "simple" POST could drive the agent. */
function openGateway(extra = ''): Promise<TestGateway> {
  return startTestGateway({ toml: `[gateway]\nrequire_pairing = false\n${extra}` });
}

/** A cross-site form post needs no CORS preflight: text/plain, no custom headers. */
function simplePost(gateway: TestGateway, path: string, origin: string | undefined) {
  const headers: Record<string, string> = { 'content-type': 'text/plain' };
  if (origin !== undefined) headers.origin = origin;
  return send(gateway, path, { headers, body: '{"message":"hi"}' });
}

describe('Origin check on state-changing routes over real HTTP', () => {
  it.each<{ label: string; origin: (gateway: TestGateway) => string | undefined; status: number }>([
    { label: 'a foreign Origin', origin: () => EVIL, status: 403 },
    {
      label: 'a DNS-rebinding Origin',
      origin: (g) => g.url.replace('127.0.0.1', 'evil.example'),
      status: 403,
    },
    { label: 'Origin: null', origin: () => 'null', status: 403 },
    { label: 'the gateway origin', origin: (g) => g.url, status: 200 },
    {
      label: 'the gateway origin by name',
      origin: (g) => g.url.replace('127.0.0.1', 'localhost'),
      status: 200,
    },
    { label: 'no Origin (curl, SDKs)', origin: () => undefined, status: 200 },
  ])('POST /webhook with $label → $status', async ({ origin, status }) => {
    const gateway = await openGateway();
    const sent = origin(gateway);
    const reply = await simplePost(gateway, '/webhook', sent);
    expect(reply.status).toBe(status);
    if (status === 403) expect(reply.body).toEqual(forbidden(sent));
    else expect(reply.body).toEqual({ response: 'echo: hi', model: 'echo', agent: 'default' });
  });

  it('accepts an origin listed in channels_config.web.allowed_origins on /webhook', async () => {
    const gateway = await openGateway(
      '[channels_config.web]\nallowed_origins = ["https://chat.example.com"]\n',
    );
    expect((await simplePost(gateway, '/webhook', 'https://chat.example.com')).status).toBe(200);
    expect((await simplePost(gateway, '/webhook', EVIL)).status).toBe(403);
  });

  it.each<{ label: string; origin: (gateway: TestGateway) => string | undefined; status: number }>([
    { label: 'a foreign Origin', origin: () => EVIL, status: 403 },
    { label: 'the gateway origin', origin: (g) => g.url, status: 200 },
    { label: 'no Origin', origin: () => undefined, status: 200 },
  ])('POST /pair with $label → $status', async ({ origin, status }) => {
    const gateway = await startTestGateway();
    const headers: Record<string, string> = { 'x-pairing-code': gateway.pairingCode() ?? '' };
    const value = origin(gateway);
    if (value !== undefined) headers.origin = value;
    const reply = await send(gateway, '/pair', { headers });
    expect(reply.status).toBe(status);
    if (status === 403) expect(reply.body).toEqual(forbidden(value));
    else expect(reply.body.paired).toBe(true);
  });

  it('keeps a rebinding page from burning the loopback client lockout on /pair', async () => {
    const gateway = await startTestGateway();
    const code = gateway.pairingCode() ?? '';
    const rebound = gateway.url.replace('127.0.0.1', 'evil.example');
    for (let i = 0; i < 5; i += 1) {
      const reply = await send(gateway, '/pair', {
        headers: { 'x-pairing-code': '000000', origin: rebound },
      });
      expect(reply.status).toBe(403);
      expect(reply.body.code).toBe('ORIGIN_FORBIDDEN');
    }
    expect((await send(gateway, '/pair', { headers: { 'x-pairing-code': code } })).status).toBe(
      200,
    );
  });

  it('applies the same Origin check to POST /ws/ticket and logs the refused origin at warn', async () => {
    const gateway = await startTestGateway();
    const token = await gateway.pair();
    const auth = { authorization: `Bearer ${token}` };
    const refused = await send(gateway, '/ws/ticket', { headers: { ...auth, origin: EVIL } });
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual(forbidden(EVIL));
    const warned = gateway.logLines
      .map((line) => JSON.parse(line) as { level: number; origin?: string; msg: string })
      .find((line) => line.origin === EVIL);
    expect(warned?.level).toBe(40);
    expect(warned?.msg).toContain('gateway.public_url');
    const own = await send(gateway, '/ws/ticket', { headers: { ...auth, origin: gateway.url } });
    expect(own.status).toBe(200);
    expect(typeof own.body.ticket).toBe('string');
  });

  it('allows the origin of gateway.public_url for the web chat (ticket and upgrade)', async () => {
    const gateway = await startTestGateway({
      toml: '[gateway]\npublic_url = "https://agent.example.com"\n',
    });
    const token = await gateway.pair();
    const headers = { authorization: `Bearer ${token}`, origin: 'https://agent.example.com' };
    const ticket = await send(gateway, '/ws/ticket', { headers });
    expect(ticket.status).toBe(200);
    const wsUrl = `${gateway.url.replace('http', 'ws')}/ws?ticket=${String(ticket.body.ticket)}`;
    const accepted = await connectWs(wsUrl, { origin: 'https://agent.example.com' });
    expect(accepted.ok).toBe(true);
    if (accepted.ok) accepted.client.ws.close();
    const foreign = await connectWs(`${gateway.url.replace('http', 'ws')}/ws`, { origin: EVIL });
    expect(foreign.ok).toBe(false);
    if (!foreign.ok) {
      expect(foreign.status).toBe(403);
      expect(JSON.parse(foreign.body)).toEqual(forbidden(EVIL));
    }
  });
});
