import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isConfigError } from '../config/config-error.js';
import { configSchema } from '../config/schema.js';
import { createHealthRegistry } from '../runtime/health-registry.js';
import {
  fakeTunnelPath,
  isProcessAlive,
  readFakeTunnelRecords,
} from '../test-support/fake-tunnels.js';
import { eventually } from '../test-support/live-gateway.js';
import { createTunnel } from './create-tunnel.js';
import type { Tunnel } from './types.js';

/*
 * The supervisor against the fake tunnel executables: real child processes, real signals.
 */

const TARGET = { host: '127.0.0.1', port: 18080 };
const dirs: string[] = [];
const tunnels: Tunnel[] = [];

afterEach(async () => {
  await Promise.all(tunnels.splice(0).map((tunnel) => tunnel.stop()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

interface Setup {
  tunnel: Tunnel;
  health: ReturnType<typeof createHealthRegistry>;
  record: string;
  warnings: string[];
}

function setup(
  tunnelToml: Record<string, unknown>,
  env: Record<string, string> = {},
  extra: { backoff?: { initialMs: number; maxMs: number }; stopGraceMs?: number } = {},
): Setup {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-tunnel-'));
  dirs.push(dir);
  const record = join(dir, 'record.jsonl');
  const health = createHealthRegistry({ components: [] });
  const warnings: string[] = [];
  const config = configSchema.parse({ tunnel: tunnelToml }).tunnel;
  const tunnel = createTunnel(config, {
    env: { PATH: process.env.PATH, FAKE_TUNNEL_RECORD: record, ...env },
    logger: {
      info: () => undefined,
      debug: () => undefined,
      warn: (_object, message) => warnings.push(message),
    },
    health,
    ...extra,
  });
  if (tunnel === undefined) throw new Error('expected a tunnel');
  tunnels.push(tunnel);
  return { tunnel, health, record, warnings };
}

/** A marker path for FAKE_TUNNEL_CRASH_ONCE_FILE: the first fake creates it and crashes. */
function onceFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-tunnel-once-'));
  dirs.push(dir);
  return join(dir, 'crashed');
}

const cloudflared = {
  provider: 'cloudflare',
  cloudflare: { binary: fakeTunnelPath('cloudflared') },
};

async function startError(tunnel: Tunnel): Promise<Error & { exitCode?: number }> {
  const error: unknown = await tunnel.start(TARGET).then(
    () => new Error('start resolved'),
    (caught: unknown) => caught,
  );
  expect(isConfigError(error)).toBe(true);
  return error as Error & { exitCode: number };
}

describe('createTunnel', () => {
  it('returns no tunnel for provider none', () => {
    const config = configSchema.parse({}).tunnel;
    expect(createTunnel(config, { env: {}, logger: console })).toBeUndefined();
  });
});

describe('tunnel supervisor: start', () => {
  it('resolves with the URL cloudflared prints and shows it in health', async () => {
    const { tunnel, health, record } = setup(cloudflared, {
      GATEHOUSE_JWT_SECRET: 'gateway-secret-that-the-tunnel-must-not-see',
    });
    const url = await tunnel.start(TARGET);
    const [started] = readFakeTunnelRecords(record);
    expect(url).toBe(`https://fake-${started?.pid}-quick-tunnel.trycloudflare.com`);
    expect(tunnel.url()).toBe(url);
    expect(tunnel.status()).toBe('ok');
    expect(health.snapshot().tunnel).toMatchObject({ status: 'ok', url, restart_count: 0 });
    expect(started?.argv).toEqual(['tunnel', '--no-autoupdate', '--url', 'http://127.0.0.1:18080']);
    expect(started?.env).not.toHaveProperty('GATEHOUSE_JWT_SECRET');
  });

  it('passes the named-tunnel token in TUNNEL_TOKEN only, and reports the configured url', async () => {
    const token = 'eyJhIjoibmFtZWQtdHVubmVsLXRva2VuLXNlY3JldCJ9';
    const { tunnel, record } = setup({
      provider: 'cloudflare',
      cloudflare: { ...cloudflared.cloudflare, token, url: 'https://agent.example.com' },
    });
    expect(await tunnel.start(TARGET)).toBe('https://agent.example.com');
    const [started] = readFakeTunnelRecords(record);
    expect(started?.env.TUNNEL_TOKEN).toBe(token);
    expect(started?.argv.join(' ')).not.toContain(token);
  });

  it('fails with exit code 2 naming provider and binary when no URL appears in time', async () => {
    const { tunnel, record } = setup(
      { ...cloudflared, start_timeout_secs: 1 },
      { FAKE_TUNNEL_NO_URL: '1' },
      { stopGraceMs: 500 },
    );
    const error = await startError(tunnel);
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe(
      `tunnel error: provider cloudflare, binary "${fakeTunnelPath('cloudflared')}": printed no public URL within 1 s (tunnel.start_timeout_secs)`,
    );
    const [started] = readFakeTunnelRecords(record);
    expect(isProcessAlive(started?.pid ?? 0)).toBe(false);
    expect(tunnel.status()).toBe('stopped');
  });

  it('fails naming a missing configured binary', async () => {
    const { tunnel } = setup({
      provider: 'cloudflare',
      cloudflare: { binary: '/nonexistent/cloudflared' },
    });
    const error = await startError(tunnel);
    expect(error.message).toBe(
      'tunnel error: provider cloudflare, binary "/nonexistent/cloudflared": not found (install it or set tunnel.cloudflare.binary)',
    );
  });

  it('fails naming a binary that is not on PATH', async () => {
    const { tunnel } = setup({ provider: 'ngrok' }, { PATH: '' });
    const error = await startError(tunnel);
    expect(error.message).toBe(
      'tunnel error: provider ngrok, binary "ngrok": not found (install it or set tunnel.ngrok.binary)',
    );
  });

  it('fails when the child exits before printing a URL', async () => {
    const { tunnel } = setup({
      provider: 'custom',
      custom: {
        binary: process.execPath,
        command: 'node -e process.exit(3)',
        url_pattern: 'https://\\S+',
      },
    });
    const error = await startError(tunnel);
    expect(error.message).toMatch(/: exited with code 3 before printing a public URL$/);
  });
});

describe('tunnel supervisor: restarts', () => {
  it('restarts a crashed child: degraded without url, then ok with the new url', async () => {
    const { tunnel, health, record, warnings } = setup(
      cloudflared,
      { FAKE_TUNNEL_CRASH_AFTER_MS: '100', FAKE_TUNNEL_CRASH_ONCE_FILE: onceFile() },
      { backoff: { initialMs: 400, maxMs: 5000 } },
    );
    const first = await tunnel.start(TARGET);
    await eventually(async () => tunnel.status() === 'degraded', 'the crash to be noticed');
    expect(tunnel.url()).toBeUndefined();
    const degraded = health.snapshot().tunnel;
    expect(degraded?.status).toBe('degraded');
    expect(degraded).not.toHaveProperty('url');
    expect(degraded?.last_error).toMatch(/tunnel process exited with code 1/);
    expect(warnings).toContain('tunnel process ended; restarting');

    await eventually(async () => tunnel.status() === 'ok', 'the restarted tunnel', 10_000);
    const second = tunnel.url();
    expect(second).toMatch(/^https:\/\/fake-\d+-quick-tunnel\.trycloudflare\.com$/);
    expect(second).not.toBe(first);
    expect(health.snapshot().tunnel).toMatchObject({ status: 'ok', url: second, restart_count: 1 });
    const starts = readFakeTunnelRecords(record);
    expect(starts).toHaveLength(2);
    expect(isProcessAlive(starts[0]?.pid ?? 0)).toBe(false);
    // The first restart waits the initial backoff.
    expect((starts[1]?.startedAt ?? 0) - (starts[0]?.startedAt ?? 0)).toBeGreaterThanOrEqual(400);
  });

  it('kills a restarted child that announces no URL in time and tries again', async () => {
    const marker = onceFile();
    const { tunnel, record } = setup(
      { ...cloudflared, start_timeout_secs: 1 },
      {
        FAKE_TUNNEL_CRASH_AFTER_MS: '50',
        FAKE_TUNNEL_CRASH_ONCE_FILE: marker,
        FAKE_TUNNEL_NO_URL_IF: marker,
      },
      { backoff: { initialMs: 100, maxMs: 200 }, stopGraceMs: 500 },
    );
    await tunnel.start(TARGET);
    await eventually(async () => readFakeTunnelRecords(record).length >= 3, '3 starts', 10_000);
    expect(tunnel.status()).toBe('degraded');
    const [first, second] = readFakeTunnelRecords(record);
    // The second child never announced a URL: it was terminated after start_timeout_secs.
    expect(isProcessAlive(first?.pid ?? 0)).toBe(false);
    expect(isProcessAlive(second?.pid ?? 0)).toBe(false);
  }, 20_000);

  it('doubles the wait between restarts of a child that keeps crashing', async () => {
    const { tunnel, record } = setup(
      cloudflared,
      { FAKE_TUNNEL_CRASH_AFTER_MS: '0' },
      { backoff: { initialMs: 150, maxMs: 600 } },
    );
    await tunnel.start(TARGET);
    await eventually(async () => readFakeTunnelRecords(record).length >= 4, '4 starts', 15_000);
    await tunnel.stop();
    const starts = readFakeTunnelRecords(record).map((start) => start.startedAt);
    const gaps = starts.slice(1, 4).map((at, i) => at - (starts[i] ?? 0));
    expect(gaps[0]).toBeGreaterThanOrEqual(150);
    expect(gaps[1]).toBeGreaterThanOrEqual(300);
    expect(gaps[2]).toBeGreaterThanOrEqual(600);
  }, 30_000);

  it('starts nothing more once stopped while waiting to restart', async () => {
    const { tunnel, record } = setup(
      cloudflared,
      { FAKE_TUNNEL_CRASH_AFTER_MS: '50' },
      { backoff: { initialMs: 300, maxMs: 300 } },
    );
    await tunnel.start(TARGET);
    await eventually(async () => tunnel.status() === 'degraded', 'the crash');
    await tunnel.stop();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(readFakeTunnelRecords(record)).toHaveLength(1);
    expect(tunnel.status()).toBe('stopped');
  });
});

describe('tunnel supervisor: stop', () => {
  it('spawns nothing when stopped before its start got going', async () => {
    const { tunnel, record } = setup(cloudflared);
    const starting = tunnel.start(TARGET);
    await tunnel.stop();
    await expect(starting).rejects.toThrow('tunnel stopped before it started');
    // Time for a child that should not exist to record itself.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(readFakeTunnelRecords(record)).toEqual([]);
    expect(tunnel.status()).toBe('stopped');
  });

  it('refuses a second start while the first is under way', async () => {
    const { tunnel } = setup(cloudflared);
    const first = tunnel.start(TARGET);
    await expect(tunnel.start(TARGET)).rejects.toThrow('tunnel already started');
    await expect(first).resolves.toMatch(/^https:\/\/fake-/);
  });

  it('terminates the child with SIGTERM', async () => {
    const { tunnel, record } = setup(cloudflared);
    await tunnel.start(TARGET);
    const pid = readFakeTunnelRecords(record)[0]?.pid ?? 0;
    expect(isProcessAlive(pid)).toBe(true);
    await tunnel.stop();
    expect(isProcessAlive(pid)).toBe(false);
    expect(tunnel.status()).toBe('stopped');
    expect(tunnel.url()).toBeUndefined();
  });

  it('kills a child that ignores SIGTERM after the grace period', async () => {
    const { tunnel, record } = setup(
      cloudflared,
      { FAKE_TUNNEL_IGNORE_SIGTERM: '1' },
      { stopGraceMs: 300 },
    );
    await tunnel.start(TARGET);
    const pid = readFakeTunnelRecords(record)[0]?.pid ?? 0;
    const began = Date.now();
    await tunnel.stop();
    expect(Date.now() - began).toBeGreaterThanOrEqual(280);
    expect(isProcessAlive(pid)).toBe(false);
  });

  it('kills the child synchronously from its process exit listener', async () => {
    const before = process.listeners('exit');
    const { tunnel, record } = setup(cloudflared, { FAKE_TUNNEL_IGNORE_SIGTERM: '1' });
    await tunnel.start(TARGET);
    const added = process.listeners('exit').filter((listener) => !before.includes(listener));
    expect(added).toHaveLength(1);
    const pid = readFakeTunnelRecords(record)[0]?.pid ?? 0;
    (added[0] as () => void)();
    await eventually(async () => !isProcessAlive(pid), 'the child to die of SIGKILL', 2000);
    await tunnel.stop();
    expect(process.listeners('exit')).toEqual(before);
  });
});
