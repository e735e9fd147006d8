import { afterEach, describe, expect, it } from 'vitest';
import type { TestGateway } from '../../test-support/gateway-harness.js';
import { closeTestGateways, send, startTestGateway } from '../../test-support/gateway-harness.js';

afterEach(closeTestGateways);

const EVIL = 'https://evil.example';
const FORBIDDEN = { error: 'Origin not allowed', code: 'ORIGIN_FORBIDDEN' };

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
    const reply = await simplePost(gateway, '/webhook', origin(gateway));
    expect(reply.status).toBe(status);
    if (status === 403) expect(reply.body).toEqual(FORBIDDEN);
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
    if (status === 403) expect(reply.body).toEqual(FORBIDDEN);
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
});
