import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { GatewayHandle } from './main.js';
import { startGateway } from './main.js';
import {
  fakeTunnelPath,
  isProcessAlive,
  readFakeTunnelRecords,
} from './test-support/fake-tunnels.js';
import { TunnelStartError } from './tunnel/index.js';

/*
 * startGateway with a tunnel, in process: the public URL line follows the listening line, and a
 * tunnel that fails leaves no listening socket behind (the process does not exit here, so the
 * port itself is probed).
 */

const dirs: string[] = [];
const handles: GatewayHandle[] = [];

afterEach(async () => {
  for (const handle of handles.splice(0)) await handle.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-main-tunnel-'));
  dirs.push(dir);
  return dir;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function start(tunnelToml: string, port: number, record: string) {
  const dir = tempDir();
  const configPath = join(dir, 'config.toml');
  writeFileSync(
    configPath,
    `[observability]\nlog_level = "silent"\n[gateway]\nport = ${port}\n${tunnelToml}`,
  );
  const lines: string[] = [];
  const handle = await startGateway({
    configPath,
    env: { PATH: process.env.PATH, FAKE_TUNNEL_RECORD: record },
    stdout: { write: (line: string) => lines.push(line) },
  });
  handles.push(handle);
  return { handle, lines };
}

describe('startGateway with a tunnel', () => {
  it('prints the public url after the listening line and stops the tunnel on close', async () => {
    const record = join(tempDir(), 'record.jsonl');
    const { handle, lines } = await start(
      `[tunnel]\nprovider = "cloudflare"\n[tunnel.cloudflare]\nbinary = "${fakeTunnelPath('cloudflared')}"\n`,
      0,
      record,
    );
    const url = handle.tunnelUrl();
    expect(url).toMatch(/^https:\/\/fake-\d+-quick-tunnel\.trycloudflare\.com$/);
    expect(lines.slice(0, 2)).toEqual([
      `gatehouse listening on ${handle.url}\n`,
      `gatehouse public url: ${url}\n`,
    ]);
    const pid = readFakeTunnelRecords(record)[0]?.pid ?? 0;
    expect(isProcessAlive(pid)).toBe(true);
    await handle.close();
    expect(isProcessAlive(pid)).toBe(false);
    expect(handle.tunnelUrl()).toBeUndefined();
  });

  it('has no tunnel url without a provider', async () => {
    const { handle, lines } = await start('', 0, join(tempDir(), 'unused.jsonl'));
    expect(handle.tunnelUrl()).toBeUndefined();
    expect(lines.join('')).not.toContain('gatehouse public url');
  });

  it('rejects with a TunnelStartError and closes the port when the binary is missing', async () => {
    const port = await freePort();
    const attempt = start(
      '[tunnel]\nprovider = "cloudflare"\n[tunnel.cloudflare]\nbinary = "/nonexistent/cloudflared"\n',
      port,
      join(tempDir(), 'unused.jsonl'),
    );
    await expect(attempt).rejects.toBeInstanceOf(TunnelStartError);
    await expect(attempt).rejects.toMatchObject({ exitCode: 2 });
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  });
});
