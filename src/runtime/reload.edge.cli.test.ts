import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildCliIfStale,
  killAllCli,
  makeTempHome,
  type TempHome,
} from '../test-support/gatehouse-process.js';
import type { LiveGateway } from '../test-support/live-gateway.js';
import {
  eventually,
  issueToken,
  startLiveGateway,
  ticketFor,
} from '../test-support/live-gateway.js';
import { sendRawRequest } from '../test-support/raw-http.js';
import { connectWs } from '../test-support/ws-client.js';
import type { TestWsClient } from '../test-support/ws-client.js';
import { ask, openSession, within } from '../test-support/ws-session.js';

/*
 * The names the gateway answers to change on reload: `gateway.allowed_hosts` (the Host check,
 * 421 otherwise) and `gateway.public_url` (its host and its browser origin), and so do the peers
 * it trusts (`gateway.trusted_proxies`), while a WebSocket opened before the reload stays
 * connected.
 */

let home: TempHome;
let live: LiveGateway;
let token: string;
let session: TestWsClient;
let turn = 0;

function configToml(gateway: string[] = []): string {
  return [
    '[gateway]',
    'host = "127.0.0.1"',
    'port = 0',
    ...gateway,
    '[observability]',
    'log_level = "info"',
    '[channels_config.web]',
    'allowed_origins = []',
    '',
  ].join('\n');
}

const port = (): number => Number(new URL(live.url).port);

async function statusForHost(host: string): Promise<number> {
  return (await sendRawRequest({ port: port(), path: '/health', headers: { host } })).status;
}

async function upgradeFrom(origin: string): Promise<number> {
  const result = await connectWs(`${live.wsUrl}/ws?ticket=${await ticketFor(live.url, token)}`, {
    origin,
  });
  if (!result.ok) return result.status;
  result.client.ws.close();
  return 101;
}

async function expectSessionStillAnswers(): Promise<void> {
  turn += 1;
  const { done } = await ask(session, `still-${turn}`, `still here ${turn}`);
  expect(done).toMatchObject({ response: `echo: still here ${turn}` });
}

beforeAll(async () => {
  buildCliIfStale();
  home = makeTempHome(configToml());
  live = await startLiveGateway(home);
  await within(live.process.waitFor(/"msg":"gateway started"/), 10_000, 'start-up');
  ({ token } = await issueToken(live, 'channels:web'));
  ({ client: session } = await openSession(`${live.wsUrl}/ws`, {
    headers: { authorization: `Bearer ${token}` },
  }));
}, 180_000);

afterAll(async () => {
  session.ws.close();
  await killAllCli();
  home.cleanup();
});

describe('reload of allowed hosts and the public url', { timeout: 60_000 }, () => {
  it('gatehouse reload makes a Host in allowed_hosts served and a removed one 421', async () => {
    expect(await statusForHost('agent.example.com')).toBe(421);
    writeFileSync(home.configPath, configToml(['allowed_hosts = ["agent.example.com"]']));
    const added = await live.cli(['reload']);
    expect(added).toMatchObject({ code: 0, stdout: 'applied: gateway.allowed_hosts\n' });
    expect(await statusForHost('agent.example.com')).toBe(200);
    expect(await statusForHost('other.example.com')).toBe(421);
    await expectSessionStillAnswers();

    writeFileSync(home.configPath, configToml(['allowed_hosts = ["other.example.com"]']));
    expect((await live.cli(['reload'])).code).toBe(0);
    expect(await statusForHost('agent.example.com')).toBe(421);
    expect(await statusForHost('other.example.com')).toBe(200);
    await expectSessionStillAnswers();
  });

  it('SIGHUP makes public_url a served host and an allowed browser origin', async () => {
    expect(await statusForHost('chat.example.org')).toBe(421);
    expect(await upgradeFrom('https://chat.example.org')).toBe(403);

    const before = live.process.stdout().match(/"msg":"config reloaded"/g)?.length ?? 0;
    writeFileSync(home.configPath, configToml(['public_url = "https://chat.example.org"']));
    live.process.child.kill('SIGHUP');
    await eventually(
      async () => (live.process.stdout().match(/"msg":"config reloaded"/g)?.length ?? 0) > before,
      'the SIGHUP reload',
    );

    expect(await statusForHost('chat.example.org')).toBe(200);
    expect(await upgradeFrom('https://chat.example.org')).toBe(101);
    // allowed_hosts was emptied by the same reload.
    expect(await statusForHost('other.example.com')).toBe(421);
    await expectSessionStillAnswers();
  });

  it('gatehouse reload makes a proxy in trusted_proxies believed, and a removed one not', async () => {
    const requestIdSeen = async (): Promise<string | undefined> => {
      const response = await sendRawRequest({
        port: port(),
        path: '/health',
        headers: { host: `127.0.0.1:${port()}`, 'x-request-id': 'from-the-proxy-1' },
      });
      return response.headers['x-request-id'] as string | undefined;
    };
    // The tests connect from 127.0.0.1: untrusted, its X-Request-Id is replaced by the gateway's.
    expect(await requestIdSeen()).not.toBe('from-the-proxy-1');

    writeFileSync(home.configPath, configToml(['trusted_proxies = ["127.0.0.1/32"]']));
    const trusted = await live.cli(['reload']);
    expect(trusted.code).toBe(0);
    expect(trusted.stdout.split('\n')).toContain('applied: gateway.trusted_proxies');
    expect(await requestIdSeen()).toBe('from-the-proxy-1');

    writeFileSync(home.configPath, configToml());
    expect((await live.cli(['reload'])).code).toBe(0);
    expect(await requestIdSeen()).not.toBe('from-the-proxy-1');
    await expectSessionStillAnswers();
  });
});
