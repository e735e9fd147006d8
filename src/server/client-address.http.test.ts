import { afterEach, describe, expect, it } from 'vitest';
import {
  closeTestGateways,
  postMessage,
  send,
  startTestGateway,
} from '../test-support/gateway-harness.js';
import type { TestGateway } from '../test-support/gateway-harness.js';

afterEach(closeTestGateways);

/*
 * The test process connects from 127.0.0.1, so with loopback trusted it plays a reverse proxy
 * that appends the real client (the right-most entry) after whatever the client sent.
 */

function gatewayWith(gatewayKeys: string): Promise<TestGateway> {
  return startTestGateway({
    toml: `[gateway]\nrequire_pairing = false\nwebhook_rate_limit_per_minute = 2\n${gatewayKeys}\n`,
  });
}

const viaProxy = (chain: string) => ({ headers: { 'x-forwarded-for': chain } });

async function statuses(gateway: TestGateway, chains: string[]): Promise<number[]> {
  const result: number[] = [];
  for (const chain of chains)
    result.push((await postMessage(gateway, 'hi', viaProxy(chain))).status);
  return result;
}

describe('client address behind a trusted proxy, over real HTTP', () => {
  it('keys the /webhook rate limit on the right-most hop: rotating a spoofed left-most entry does not help', async () => {
    const gateway = await gatewayWith('trusted_proxies = ["127.0.0.1/32"]');
    const spoofed = ['1.1.1.1, 203.0.113.5', '2.2.2.2, 203.0.113.5', '3.3.3.3, 203.0.113.5'];
    expect(await statuses(gateway, spoofed)).toEqual([200, 200, 429]);
    // Another real client has its own window.
    expect(await statuses(gateway, ['203.0.113.6'])).toEqual([200]);
  });

  it('keeps trust_forwarded_headers = true working with the same right-most rule', async () => {
    const gateway = await gatewayWith('trust_forwarded_headers = true');
    expect(await statuses(gateway, ['9.9.9.1, 198.51.100.7', '9.9.9.2, 198.51.100.7'])).toEqual([
      200, 200,
    ]);
    expect(await statuses(gateway, ['9.9.9.3, 198.51.100.7'])).toEqual([429]);
  });

  it('ignores forwarded headers when the peer is not a trusted proxy', async () => {
    const gateway = await gatewayWith('trusted_proxies = ["10.0.0.0/8"]');
    // Every request is keyed on the peer (127.0.0.1), whatever the headers claim.
    expect(await statuses(gateway, ['203.0.113.1', '203.0.113.2', '203.0.113.3'])).toEqual([
      200, 200, 429,
    ]);
  });

  it('reads RFC 7239 Forwarded when X-Forwarded-For is absent', async () => {
    const gateway = await gatewayWith('trusted_proxies = ["127.0.0.1/32"]');
    const forwarded = (value: string) =>
      postMessage(gateway, 'hi', { headers: { forwarded: value } });
    expect((await forwarded('for=1.1.1.1, for="[2001:db8::5]:443"')).status).toBe(200);
    expect((await forwarded('for=2.2.2.2, for="[2001:db8::5]"')).status).toBe(200);
    expect((await forwarded('for="[2001:db8::5]:80"')).status).toBe(429);
    expect((await forwarded('for="[2001:db8::6]"')).status).toBe(200);
  });

  it('keys the pairing lockout on the real client, so one client cannot lock out another', async () => {
    const gateway = await startTestGateway({
      toml: '[gateway]\ntrusted_proxies = ["127.0.0.1/32"]\n',
    });
    const pair = (chain: string, code: string) =>
      send(gateway, '/pair', { headers: { 'x-pairing-code': code, 'x-forwarded-for': chain } });
    for (let attempt = 0; attempt < 3; attempt += 1) {
      expect((await pair(`10.9.9.${attempt}, 203.0.113.5`, '000000')).status).toBe(403);
    }
    // The attacker is locked out whatever it writes on the left.
    expect((await pair('10.9.9.9, 203.0.113.5', '000000')).status).toBe(429);
    // A different real client still pairs with the right code.
    const code = gateway.pairingCode() ?? '';
    const paired = await pair('203.0.113.5, 198.51.100.9', code);
    expect(paired.status).toBe(200);
  });

  it("does not let a client replay another client's idempotency key by spoofing its address", async () => {
    const gateway = await gatewayWith('trusted_proxies = ["127.0.0.1/32"]');
    const key = { 'x-idempotency-key': 'order-7' };
    const alice = await postMessage(gateway, 'alice secret', {
      headers: { ...key, 'x-forwarded-for': '198.51.100.1' },
    });
    expect(alice.body.response).toBe('echo: alice secret');
    // Mallory writes Alice's address on the left; the proxy appends Mallory's real one.
    const mallory = await postMessage(gateway, 'mallory', {
      headers: { ...key, 'x-forwarded-for': '198.51.100.1, 198.51.100.66' },
    });
    expect(mallory.body).toEqual({ response: 'echo: mallory', model: 'echo', agent: 'default' });
  });
});
