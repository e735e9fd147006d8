import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeForwardProxy } from '../test-support/fake-forward-proxy.js';
import type { FakeForwardProxy } from '../test-support/fake-forward-proxy.js';
import { defaultFakeReply, startFakeOpenAI } from '../test-support/fake-llm.js';
import type { FakeLlm } from '../test-support/fake-llm.js';
import { useBuiltCli } from '../test-support/gatehouse-process.js';
import { pairWithCode, postWebhook, startLiveGateway } from '../test-support/live-gateway.js';
import { makeLoopbackCertificate } from '../test-support/loopback-certificate.js';
import type { LoopbackCertificate } from '../test-support/loopback-certificate.js';

/*
 * The built gateway behind a corporate proxy: HTTPS_PROXY set, the provider reached over TLS
 * through a CONNECT tunnel (the provider's certificate is trusted through NODE_EXTRA_CA_CERTS, as
 * a private CA would be), and the reply comes back. The bundle loads the proxy agent on demand.
 */

const { tempHome } = useBuiltCli();
let certificate: LoopbackCertificate;
let llm: FakeLlm;
let proxy: FakeForwardProxy;

beforeAll(async () => {
  certificate = makeLoopbackCertificate();
  llm = await startFakeOpenAI({ tls: { key: certificate.key, cert: certificate.cert } });
});

afterAll(async () => {
  await llm?.close();
  certificate?.remove();
});

afterEach(async () => {
  await proxy?.close();
});

async function turnThroughGateway(env: Record<string, string>): Promise<Record<string, unknown>> {
  const home = tempHome(
    [
      'default_provider = "openai"',
      'default_model = "gpt-test"',
      '[gateway]',
      'host = "127.0.0.1"',
      'port = 0',
      '[observability]',
      'log_level = "warn"',
      '[providers.openai]',
      `base_url = "${llm.baseUrl}"`,
      'api_key = "sk-test-key"',
      '',
    ].join('\n'),
  );
  const live = await startLiveGateway(home, { NODE_EXTRA_CA_CERTS: certificate.certPath, ...env });
  const token = await pairWithCode(live.url, await live.pairingCode());
  const { status, body } = await postWebhook(live.url, token, 'through the proxy');
  // The body goes into the failure message: it names the error code.
  expect({ status, body }).toMatchObject({ status: 200 });
  return body;
}

describe('provider calls of the built gateway', { timeout: 60_000 }, () => {
  it('go through HTTPS_PROXY in a CONNECT tunnel', async () => {
    proxy = await startFakeForwardProxy();
    const body = await turnThroughGateway({ HTTPS_PROXY: proxy.url });
    expect(body.response).toBe(defaultFakeReply('openai', 'through the proxy'));
    expect(proxy.visits).toEqual([
      {
        method: 'CONNECT',
        target: `127.0.0.1:${new URL(llm.baseUrl).port}`,
        proxyAuthorization: undefined,
      },
    ]);
  });

  it('go direct when NO_PROXY names the provider host', async () => {
    proxy = await startFakeForwardProxy();
    const before = llm.requests.length;
    const body = await turnThroughGateway({ HTTPS_PROXY: proxy.url, NO_PROXY: '127.0.0.1' });
    expect(body.response).toBe(defaultFakeReply('openai', 'through the proxy'));
    expect(proxy.visits).toEqual([]);
    expect(llm.requests.length).toBe(before + 1);
  });
});
