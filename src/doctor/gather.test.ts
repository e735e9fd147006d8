import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { doctorConfig } from '../test-support/doctor-facts.js';
import { gatherDoctorFacts } from './gather.js';

const dirs: string[] = [];
const servers: Server[] = [];

afterEach(async () => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

function tempHome(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-doctor-'));
  dirs.push(dir);
  return dir;
}

/** A loopback server answering /health with `body` (and counting requests). */
async function healthServer(body: unknown): Promise<{ url: string; hits: () => number }> {
  let hits = 0;
  const server = createServer((_request, response) => {
    hits += 1;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits: () => hits };
}

function writeRuntime(home: string, url: string, pid = process.pid): void {
  writeFileSync(join(home, 'gateway.json'), JSON.stringify({ url, pid }), { mode: 0o600 });
}

const env = { PATH: '' };

/** Writes `text` with exactly `mode` (chmod after the write, so the umask cannot narrow it). */
function writeWithMode(path: string, text: string, mode: number): void {
  writeFileSync(path, text);
  chmodSync(path, mode);
}

describe('gatherDoctorFacts', () => {
  it('reads the config mode, secrets written in it (not from env) and existing state files', async () => {
    const home = tempHome();
    const elsewhere = tempHome();
    const configPath = join(home, 'config.toml');
    writeWithMode(configPath, '[providers.openai]\napi_key = "sk-file"\n', 0o640);
    writeWithMode(join(home, 'jwt.secret'), 'x', 0o644);
    writeWithMode(join(home, 'state.db'), '', 0o600);
    writeWithMode(join(elsewhere, 'mem.db-wal'), '', 0o604);
    const config = doctorConfig({
      memory: { path: join(elsewhere, 'mem.db') },
      channels_config: { webhook: { secret: 'from-env-after-loading' } },
    });
    const facts = await gatherDoctorFacts({ config, configPath, home, env });
    expect(facts.configFile).toEqual({ path: configPath, exists: true, mode: 0o640 });
    expect(facts.stateDir).toEqual({ path: home, mode: 0o700 });
    expect(facts.fileSecrets).toEqual([
      { key: 'providers.openai.api_key', env: 'GATEHOUSE_OPENAI_API_KEY' },
    ]);
    expect(facts.stateFiles).toEqual([
      { path: join(home, 'jwt.secret'), mode: 0o644, grantsAccess: true },
      { path: join(home, 'state.db'), mode: 0o600, grantsAccess: false },
      { path: join(elsewhere, 'mem.db-wal'), mode: 0o604, grantsAccess: false },
    ]);
    expect(facts.tunnelBinary).toBeUndefined();
  });

  it('audits a missing config file without creating anything', async () => {
    const home = tempHome();
    const facts = await gatherDoctorFacts({
      config: doctorConfig(),
      configPath: join(home, 'config.toml'),
      home,
      env,
    });
    expect(facts.configFile).toEqual({ path: join(home, 'config.toml'), exists: false });
    expect(facts.fileSecrets).toEqual([]);
    expect(facts.stateDir).toEqual({ path: home, mode: 0o700 });
    expect(facts.gateway).toEqual({
      state: 'not-running',
      runtimeFile: join(home, 'gateway.json'),
    });
    expect(readdirSync(home)).toEqual([]);
  });

  it.each<[string, string, boolean]>([
    ['found on PATH', '/bin:/usr/bin', true],
    ['not on PATH', '', false],
  ])('looks the tunnel binary up: %s', async (_label, path, found) => {
    const home = tempHome();
    const config = doctorConfig({ tunnel: { provider: 'custom', custom: { command: 'sh -c x' } } });
    const facts = await gatherDoctorFacts({
      config,
      configPath: join(home, 'config.toml'),
      home,
      env: { PATH: path },
    });
    expect(facts.tunnelBinary).toEqual({ key: 'tunnel.custom.command', name: 'sh', found });
  });

  it('calls gateway.json of a dead pid stale and probes nothing', async () => {
    const home = tempHome();
    const server = await healthServer({ status: 'ok' });
    writeRuntime(home, server.url, 424242);
    const facts = await gatherDoctorFacts({
      config: doctorConfig(),
      configPath: join(home, 'config.toml'),
      home,
      env,
      isAlive: () => false,
    });
    expect(facts.gateway).toEqual({
      state: 'stale',
      runtimeFile: join(home, 'gateway.json'),
      pid: 424242,
    });
    expect(server.hits()).toBe(0);
  });

  it('probes the running gateway and the public_url', async () => {
    const home = tempHome();
    const local = await healthServer({ status: 'ok', runtime: {} });
    const front = await healthServer({ status: 'ok', runtime: {} });
    writeRuntime(home, local.url);
    const config = doctorConfig({ gateway: { public_url: `${front.url}/chat` } });
    const facts = await gatherDoctorFacts({
      config,
      configPath: join(home, 'config.toml'),
      home,
      env,
    });
    expect(facts.gateway).toEqual({
      state: 'running',
      url: local.url,
      pid: process.pid,
      health: { ok: true, status: 'ok' },
      publicUrl: {
        url: `${front.url}/chat`,
        key: 'gateway.public_url',
        health: { ok: true, status: 'ok' },
      },
    });
  });

  it('probes the tunnel URL /health reports when no public_url is set', async () => {
    const home = tempHome();
    const front = await healthServer({ status: 'ok' });
    const local = await healthServer({
      status: 'ok',
      runtime: { tunnel: { status: 'ok', url: front.url } },
    });
    writeRuntime(home, local.url);
    const facts = await gatherDoctorFacts({
      config: doctorConfig({ tunnel: { provider: 'ngrok' } }),
      configPath: join(home, 'config.toml'),
      home,
      env,
    });
    expect(facts.gateway.state === 'running' && facts.gateway.publicUrl).toEqual({
      url: front.url,
      key: 'tunnel.provider',
      health: { ok: true, status: 'ok' },
    });
    expect(front.hits()).toBe(1);
  });

  it('prefers the named Cloudflare tunnel URL over the reported one', async () => {
    const home = tempHome();
    const named = await healthServer({ status: 'ok' });
    const local = await healthServer({
      status: 'ok',
      runtime: { tunnel: { url: 'http://127.0.0.1:9/not-probed' } },
    });
    writeRuntime(home, local.url);
    const facts = await gatherDoctorFacts({
      config: doctorConfig({
        tunnel: { provider: 'cloudflare', cloudflare: { token: 't', url: named.url } },
      }),
      configPath: join(home, 'config.toml'),
      home,
      env,
    });
    expect(facts.gateway.state === 'running' && facts.gateway.publicUrl?.key).toBe(
      'tunnel.cloudflare.url',
    );
    expect(named.hits()).toBe(1);
  });
});
