import { afterEach, describe, expect, it } from 'vitest';
import { closeTestGateways, startTestGateway } from '../../test-support/gateway-harness.js';
import type { TestGateway } from '../../test-support/gateway-harness.js';
import { sendRawRequest } from '../../test-support/raw-http.js';
import { connectWs } from '../../test-support/ws-client.js';

afterEach(closeTestGateways);

function portOf(gateway: TestGateway): number {
  return Number(new URL(gateway.url).port);
}

function get(gateway: TestGateway, path: string, host: string) {
  return sendRawRequest({ port: portOf(gateway), path, headers: { host } });
}

const PUBLIC_TOML = `[gateway]
public_url = "https://agent.example.com"
allowed_hosts = ["chat.example.org"]
`;

describe('Host check over real HTTP', () => {
  it.each(['/health', '/metrics', '/', '/webhook'])(
    'answers 421 HOST_NOT_ALLOWED on %s for a rebinding host name',
    async (path) => {
      const gateway = await startTestGateway();
      const response = await get(gateway, path, `attacker.example:${portOf(gateway)}`);
      expect(response.status).toBe(421);
      expect(JSON.parse(response.body)).toEqual({
        code: 'HOST_NOT_ALLOWED',
        error: `Host "attacker.example:${portOf(gateway)}" is not served here; add the name to gateway.allowed_hosts, or set gateway.public_url to the address clients use`,
      });
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['content-security-policy']).toBeDefined();
    },
  );

  it.each(['127.0.0.1:{port}', '127.0.0.1', 'localhost:{port}', 'localhost', '[::1]:{port}'])(
    'answers the loopback name %s on the default config',
    async (host) => {
      const gateway = await startTestGateway();
      const response = await get(
        gateway,
        '/health',
        host.replace('{port}', String(portOf(gateway))),
      );
      expect(response.status).toBe(200);
    },
  );

  it.each([
    ['agent.example.com', 200],
    ['agent.example.com:443', 200],
    ['chat.example.org', 200],
    ['CHAT.EXAMPLE.ORG:8080', 200],
    ['other.example.com', 421],
  ])('with public_url and allowed_hosts, Host %s → %i', async (host, status) => {
    const gateway = await startTestGateway({ toml: PUBLIC_TOML });
    expect((await get(gateway, '/health', host)).status).toBe(status);
  });

  it('refuses a WebSocket upgrade for a rebinding host name before anything else', async () => {
    const gateway = await startTestGateway();
    const wsUrl = `${gateway.url.replace('http', 'ws')}/ws`;
    const refused = await connectWs(wsUrl, { headers: { host: 'attacker.example' } });
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.status).toBe(421);
    expect(JSON.parse(refused.body)).toMatchObject({ code: 'HOST_NOT_ALLOWED' });
    // The same upgrade with a loopback Host gets past the Host check (and is refused for lacking
    // credentials instead).
    const unauthenticated = await connectWs(wsUrl);
    expect(unauthenticated.ok).toBe(false);
    if (!unauthenticated.ok) expect(unauthenticated.status).toBe(401);
  });

  it('prints the public URL at start', async () => {
    const gateway = await startTestGateway({ toml: PUBLIC_TOML });
    expect(gateway.stdoutLines).toContain('gatehouse public url: https://agent.example.com');
  });
});
