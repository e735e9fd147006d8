import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from './config/config-error.js';
import type { GatewayHandle } from './main.js';
import { startGateway } from './main.js';

const dirs: string[] = [];
const handles: GatewayHandle[] = [];

afterEach(async () => {
  for (const handle of handles.splice(0)) await handle.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function configFile(toml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-main-'));
  dirs.push(dir);
  const path = join(dir, 'config.toml');
  writeFileSync(path, `[observability]\nlog_level = "silent"\n${toml}`);
  return path;
}

async function start(toml: string, overrides: { host?: string; port?: number } = {}) {
  const lines: string[] = [];
  const handle = await startGateway({
    configPath: configFile(toml),
    hostOverride: overrides.host,
    portOverride: overrides.port,
    env: {},
    stdout: { write: (line: string) => lines.push(line) },
  });
  handles.push(handle);
  return { handle, lines };
}

describe('startGateway', () => {
  it('listens on the real port and writes exactly one listening line', async () => {
    const { handle, lines } = await start('[gateway]\nport = 0\n');
    expect(lines.filter((line) => line.startsWith('gatehouse listening on'))).toEqual([
      `gatehouse listening on ${handle.url}\n`,
    ]);
    // Nothing is paired yet: the one-time code, then the next steps (web chat URL, pairing curl).
    expect(lines.filter((line) => !line.startsWith('gatehouse listening on'))).toEqual([
      expect.stringMatching(/^gatehouse pairing code: \d{6}\n$/),
      expect.stringMatching(
        /^gatehouse web chat: http:\/\/127\.0\.0\.1:\d+\/\ngatehouse pair: curl -X POST http:\/\/127\.0\.0\.1:\d+\/pair -H 'X-Pairing-Code: \d{6}'\n$/,
      ),
    ]);
    expect(handle.url).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*$/);
    const response = await fetch(`${handle.url}/health`);
    expect(response.status).toBe(200);
  });

  it('uses the directory of the config file as home when GATEHOUSE_HOME is unset', async () => {
    const { handle } = await start('[gateway]\nport = 0\n');
    expect(dirs).toContain(handle.home);
  });

  it('brackets an IPv6 host in the URL', async () => {
    const { handle } = await start('', { host: '::1', port: 0 });
    expect(handle.url).toMatch(/^http:\/\/\[::1\]:\d+$/);
  });

  it('refuses a public bind without a tunnel with a ConfigError (exit code 2)', async () => {
    const attempt = start('[gateway]\nport = 0\nhost = "0.0.0.0"\n');
    await expect(attempt).rejects.toBeInstanceOf(ConfigError);
    await expect(attempt).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringContaining('allow_public_bind'),
    });
  });

  it('closes idempotently', async () => {
    const { handle } = await start('[gateway]\nport = 0\n');
    await Promise.all([handle.close(), handle.close()]);
    await expect(fetch(`${handle.url}/health`)).rejects.toThrow();
  });
});
