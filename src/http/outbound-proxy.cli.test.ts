import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signMeta, whatsappWebhook } from '../test-support/channel-payloads.js';
import { sendOnNewConnection } from '../test-support/cluster.js';
import { startFakeGraphApi } from '../test-support/fake-graph-api.js';
import { startFakeForwardProxy } from '../test-support/fake-forward-proxy.js';
import type { FakeForwardProxy } from '../test-support/fake-forward-proxy.js';
import { defaultFakeReply, startFakeOpenAI } from '../test-support/fake-llm.js';
import type { FakeLlm } from '../test-support/fake-llm.js';
import { useBuiltCli } from '../test-support/gatehouse-process.js';
import {
  eventually,
  pairWithCode,
  postWebhook,
  startLiveGateway,
} from '../test-support/live-gateway.js';
import { makeLoopbackCertificate } from '../test-support/self-signed-certificate.js';
import type { SelfSignedCertificate } from '../test-support/self-signed-certificate.js';

/*
 * The built gateway behind a corporate proxy: the provider reached over TLS through a CONNECT
 * tunnel (its certificate trusted through NODE_EXTRA_CA_CERTS, as a private CA would be), and a
 * channel's reply sent to its platform API through the proxy too. The bundle loads the proxy
 * agents (and undici, from node_modules) on demand.
 */

const { tempHome } = useBuiltCli();
let certificate: SelfSignedCertificate;
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

function gatewayConfig(sections: readonly string[] = []): string {
  return [
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
    ...sections,
    '',
  ].join('\n');
}

async function turnThroughGateway(env: Record<string, string>): Promise<Record<string, unknown>> {
  const home = tempHome(gatewayConfig());
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

  it('refuse a trusted certificate issued for another name than the provider host', async () => {
    proxy = await startFakeForwardProxy();
    // Same server and certificate (for 127.0.0.1, trusted), reached by the name localhost.
    const byName = llm.baseUrl.replace('127.0.0.1', 'localhost');
    const home = tempHome(gatewayConfig().replace(llm.baseUrl, byName));
    const live = await startLiveGateway(home, {
      NODE_EXTRA_CA_CERTS: certificate.certPath,
      HTTPS_PROXY: proxy.url,
    });
    const token = await pairWithCode(live.url, await live.pairingCode());
    const before = llm.requests.length;
    const { status, body } = await postWebhook(live.url, token, 'to the wrong name');
    expect({ status, code: body.code }).toEqual({ status: 500, code: 'LLM_REQUEST_FAILED' });
    expect(proxy.visits.map((visit) => `${visit.method} ${visit.target}`)).toEqual([
      `CONNECT localhost:${new URL(llm.baseUrl).port}`,
    ]);
    expect(llm.requests.length).toBe(before);
    await eventually(
      async () => /altnames/.test(live.process.stdout()),
      'the certificate refusal in the log',
      5_000,
    );
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

describe('channel platform calls of the built gateway', { timeout: 60_000 }, () => {
  it('send a WhatsApp reply through HTTP_PROXY', async () => {
    const graph = await startFakeGraphApi({ accessToken: 'wa-access-token' });
    try {
      proxy = await startFakeForwardProxy();
      const home = tempHome(
        gatewayConfig([
          '[channels_config.whatsapp]',
          'access_token = "wa-access-token"',
          'phone_number_id = "123456789"',
          'app_secret = "wa-app-secret"',
          'verify_token = "wa-verify"',
          'allowed_numbers = ["*"]',
          `api_base_url = "${graph.url}"`,
        ]),
      );
      const live = await startLiveGateway(home, {
        NODE_EXTRA_CA_CERTS: certificate.certPath,
        HTTPS_PROXY: proxy.url,
        HTTP_PROXY: proxy.url,
      });
      const body = whatsappWebhook([[{ from: '15550000001', id: 'wamid.proxy-1', text: 'hi' }]]);
      const answer = await sendOnNewConnection(`${live.url}/whatsapp`, {
        method: 'POST',
        headers: { 'x-hub-signature-256': signMeta(JSON.stringify(body), 'wa-app-secret') },
        body,
      });
      expect(answer.body).toEqual({ status: 'ok', accepted: 1, duplicates: 0 });
      await eventually(async () => graph.sent().length === 1, 'the reply', 20_000);
      expect(graph.sent()[0]).toMatchObject({ to: '15550000001' });
      expect(proxy.visits.map((visit) => `${visit.method} ${visit.target}`)).toEqual([
        `CONNECT 127.0.0.1:${new URL(llm.baseUrl).port}`,
        `CONNECT ${new URL(graph.url).host}`,
      ]);
    } finally {
      await graph.close();
    }
  });
});
