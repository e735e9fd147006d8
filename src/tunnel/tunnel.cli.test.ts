import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TempHome } from '../test-support/gatehouse-process.js';
import { runCli, spawnCli, useBuiltCli } from '../test-support/gatehouse-process.js';
import {
  FAKE_TUNNEL_DIR,
  fakeTunnelPath,
  isProcessAlive,
  readFakeTunnelRecords,
} from '../test-support/fake-tunnels.js';
import { eventually, liveHome } from '../test-support/live-gateway.js';
import { sendRawRequest } from '../test-support/raw-http.js';

/*
 * `gatehouse start` (the built CLI) with each tunnel provider played by a fake executable: the
 * public URL is printed and shown in /health, a broken tunnel stops start-up with exit code 2 and
 * one line, and after SIGINT no tunnel process is left.
 */

const cli = useBuiltCli();

function tunnelHome(tunnelToml: string): { home: TempHome; record: string } {
  const home = cli.adopt(liveHome({ extra: tunnelToml }));
  return { home, record: join(home.dir, 'tunnel-record.jsonl') };
}

interface TunnelHealth {
  status: string;
  url?: string;
  restart_count: number;
}

async function tunnelHealth(url: string): Promise<TunnelHealth | undefined> {
  const body = (await (await fetch(`${url}/health`)).json()) as {
    runtime: Record<string, TunnelHealth>;
  };
  return body.runtime.tunnel;
}

const NGROK_TOKEN = '2ngrokAuthTokenThatMustNotAppearOnArgv_0123456789';
const CLOUDFLARE_TOKEN = 'eyJjbG91ZGZsYXJlIjoibmFtZWQtdHVubmVsLXRva2VuIn0=';

interface ProviderCase {
  label: string;
  toml: string;
  env: Record<string, string>;
  url: RegExp;
  argv(port: number): string[];
  secret: { name: string; value: string } | undefined;
}

/**
 * The tunnel's URL is one of the gateway's public names: its host passes the Host check and its
 * origin may use the web chat (a ticket request from it is refused for lacking a token, not 403).
 */
async function expectServedAs(local: string, publicUrl: string): Promise<void> {
  const port = Number(new URL(local).port);
  const hostOf = (host: string) => sendRawRequest({ port, path: '/health', headers: { host } });
  expect((await hostOf(new URL(publicUrl).host)).status).toBe(200);
  expect((await hostOf('elsewhere.example')).status).toBe(421);
  const ticket = (origin: string) =>
    fetch(`${local}/ws/ticket`, { method: 'POST', headers: { origin } });
  expect((await ticket(new URL(publicUrl).origin)).status).toBe(401);
  expect((await ticket('https://elsewhere.example')).status).toBe(403);
}

describe('gatehouse start with a tunnel', { timeout: 60_000 }, () => {
  it.each<ProviderCase>([
    {
      label: 'a cloudflare quick tunnel',
      toml: `[tunnel]\nprovider = "cloudflare"\n[tunnel.cloudflare]\nbinary = "${fakeTunnelPath('cloudflared')}"\n`,
      env: {},
      url: /^https:\/\/fake-\d+-quick-tunnel\.trycloudflare\.com$/,
      argv: (port: number) => ['tunnel', '--no-autoupdate', '--url', `http://127.0.0.1:${port}`],
      secret: undefined,
    },
    {
      label: 'a cloudflare named tunnel (token from the environment)',
      toml: `[tunnel]\nprovider = "cloudflare"\n[tunnel.cloudflare]\nbinary = "${fakeTunnelPath('cloudflared')}"\nurl = "https://agent.example.com"\n`,
      env: { GATEHOUSE_CLOUDFLARE_TUNNEL_TOKEN: CLOUDFLARE_TOKEN },
      url: /^https:\/\/agent\.example\.com$/,
      argv: () => ['tunnel', '--no-autoupdate', 'run'],
      secret: { name: 'TUNNEL_TOKEN', value: CLOUDFLARE_TOKEN },
    },
    {
      label: 'tailscale funnel found on PATH',
      toml: `[tunnel]\nprovider = "tailscale"\n`,
      env: { PATH: `${FAKE_TUNNEL_DIR}:${process.env.PATH ?? ''}` },
      url: /^https:\/\/fake-\d+\.tail1a2b3c\.ts\.net$/,
      argv: (port: number) => ['funnel', String(port)],
      secret: undefined,
    },
    {
      label: 'ngrok (auth token in the config file)',
      toml: `[tunnel]\nprovider = "ngrok"\n[tunnel.ngrok]\nbinary = "${fakeTunnelPath('ngrok')}"\nauth_token = "${NGROK_TOKEN}"\n`,
      env: {},
      url: /^https:\/\/fake-\d+\.ngrok-free\.app$/,
      argv: (port: number) => [
        'http',
        `127.0.0.1:${port}`,
        '--log',
        'stdout',
        '--log-format',
        'json',
      ],
      secret: { name: 'NGROK_AUTHTOKEN', value: NGROK_TOKEN },
    },
    {
      label: 'a custom command announcing on stderr',
      toml: `[tunnel]\nprovider = "custom"\n[tunnel.custom]\ncommand = "${fakeTunnelPath('custom-tunnel')} --forward '{host}:{port}' --name 'my tunnel'"\nurl_pattern = 'public address (https://\\S+)'\n`,
      env: { FAKE_TUNNEL_STREAM: 'stderr' },
      url: /^https:\/\/fake-\d+\.tunnel\.example$/,
      argv: (port: number) => ['--forward', `127.0.0.1:${port}`, '--name', 'my tunnel'],
      secret: undefined,
    },
  ])(
    '$label: prints the public url, shows it in /health, leaves no process after SIGINT',
    async (c) => {
      const { home, record } = tunnelHome(c.toml);
      const cli = spawnCli(['start', '--config', home.configPath], {
        ...home.env,
        FAKE_TUNNEL_RECORD: record,
        ...c.env,
      });
      const lines = await cli.waitFor(
        /^gatehouse listening on (http:\/\/\S+)\ngatehouse public url: (\S+)$/m,
      );
      const [, local = '', publicUrl = ''] = lines;
      expect(publicUrl).toMatch(c.url);
      expect(await tunnelHealth(local)).toMatchObject({ status: 'ok', url: publicUrl });
      await expectServedAs(local, publicUrl);

      const [started, ...more] = readFakeTunnelRecords(record);
      expect(more).toHaveLength(0);
      if (started === undefined) throw new Error('the fake tunnel did not record its start');
      expect(started.argv).toEqual(c.argv(Number(new URL(local).port)));
      // The gateway's own variables (GATEHOUSE_HOME, secrets) never reach the tunnel process.
      expect(Object.keys(started.env).filter((name) => name.startsWith('GATEHOUSE_'))).toEqual([]);
      if (c.secret !== undefined) {
        expect(started.env[c.secret.name]).toBe(c.secret.value);
        expect(started.argv.join(' ')).not.toContain(c.secret.value);
      }

      cli.child.kill('SIGINT');
      expect(await cli.exited).toBe(0);
      expect(isProcessAlive(started.pid)).toBe(false);
    },
  );

  it('restarts a tunnel that crashes: /health shows it degraded, then ok with the new url', async () => {
    const { home, record } = tunnelHome(
      `[tunnel]\nprovider = "cloudflare"\n[tunnel.cloudflare]\nbinary = "${fakeTunnelPath('cloudflared')}"\n`,
    );
    const cli = spawnCli(['start', '--config', home.configPath], {
      ...home.env,
      FAKE_TUNNEL_RECORD: record,
      FAKE_TUNNEL_CRASH_AFTER_MS: '300',
      FAKE_TUNNEL_CRASH_ONCE_FILE: join(home.dir, 'crashed-once'),
    });
    const [, local = '', first = ''] = await cli.waitFor(
      /^gatehouse listening on (http:\/\/\S+)\ngatehouse public url: (\S+)$/m,
    );
    let seen: TunnelHealth | undefined;
    await eventually(async () => {
      seen = await tunnelHealth(local);
      return seen?.status === 'degraded';
    }, 'the tunnel to be degraded');
    expect(seen).not.toHaveProperty('url');
    await eventually(
      async () => {
        seen = await tunnelHealth(local);
        return seen?.status === 'ok';
      },
      'the restarted tunnel',
      10_000,
    );
    expect(seen?.restart_count).toBe(1);
    expect(seen?.url).toMatch(/^https:\/\/fake-\d+-quick-tunnel\.trycloudflare\.com$/);
    expect(seen?.url).not.toBe(first);

    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(0);
    for (const start of readFakeTunnelRecords(record))
      expect(isProcessAlive(start.pid)).toBe(false);
  });
});

interface RefusalCase {
  label: string;
  toml: string;
  env: Record<string, string>;
  line: string;
  /** Whether a tunnel process got as far as starting (and must be gone afterwards). */
  spawned: boolean;
}

describe('gatehouse start interrupted while the tunnel starts', { timeout: 60_000 }, () => {
  it('dies of SIGINT and takes the tunnel process with it', async () => {
    const { home, record } = tunnelHome(
      `[tunnel]\nprovider = "ngrok"\n[tunnel.ngrok]\nbinary = "${fakeTunnelPath('ngrok')}"\n`,
    );
    const cli = spawnCli(['start', '--config', home.configPath], {
      ...home.env,
      FAKE_TUNNEL_RECORD: record,
      FAKE_TUNNEL_URL_DELAY_MS: '30000',
    });
    await eventually(async () => readFakeTunnelRecords(record).length === 1, 'the tunnel process');
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe('SIGINT');
    const [started] = readFakeTunnelRecords(record);
    await eventually(async () => !isProcessAlive(started?.pid ?? 0), 'the tunnel to be gone', 2000);
  });
});

describe('gatehouse start refuses to run without its tunnel', { timeout: 60_000 }, () => {
  it.each<RefusalCase>([
    {
      label: 'a configured binary that does not exist',
      toml: '[tunnel]\nprovider = "cloudflare"\n[tunnel.cloudflare]\nbinary = "/nonexistent/cloudflared"\n',
      env: {},
      line: 'tunnel error: provider cloudflare, binary "/nonexistent/cloudflared": not found (install it or set tunnel.cloudflare.binary)',
      spawned: false,
    },
    {
      label: 'a binary that is not on PATH',
      toml: '[tunnel]\nprovider = "ngrok"\n',
      env: { PATH: '/nonexistent' },
      line: 'tunnel error: provider ngrok, binary "ngrok": not found (install it or set tunnel.ngrok.binary)',
      spawned: false,
    },
    {
      label: 'a tunnel that prints no url in time',
      toml: `[tunnel]\nprovider = "tailscale"\nstart_timeout_secs = 1\n[tunnel.tailscale]\nbinary = "${fakeTunnelPath('tailscale')}"\n`,
      env: { FAKE_TUNNEL_NO_URL: '1' },
      line: `tunnel error: provider tailscale, binary "${fakeTunnelPath('tailscale')}": printed no public URL within 1 s (tunnel.start_timeout_secs)`,
      spawned: true,
    },
  ])('$label: exit 2 with one line, not listening, no process left', async (c) => {
    const { home, record } = tunnelHome(c.toml);
    const result = await runCli(['start', '--config', home.configPath], {
      ...home.env,
      FAKE_TUNNEL_RECORD: record,
      ...c.env,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`${c.line}\n`);
    expect(result.stdout).not.toContain('gatehouse listening on');
    for (const start of readFakeTunnelRecords(record))
      expect(isProcessAlive(start.pid)).toBe(false);
  });
});
