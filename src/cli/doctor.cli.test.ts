import { chmodSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TempHome } from '../test-support/gatehouse-process.js';
import { runCli, useBuiltCli } from '../test-support/gatehouse-process.js';
import { liveConfig, liveHome, startLiveGateway } from '../test-support/live-gateway.js';

/*
 * `gatehouse doctor` as an operator runs it: the built CLI against temporary homes, with and
 * without a running gateway.
 */

const cli = useBuiltCli();
const home = (toml: string) => cli.tempHome(toml);

interface JsonFinding {
  id: string;
  severity: string;
  key: string | null;
  message: string;
  fix: string;
}

async function doctorJson(
  created: TempHome,
  extraEnv: Record<string, string> = {},
): Promise<{ code: number | string; findings: JsonFinding[]; stderr: string }> {
  const result = await runCli(['doctor', '--json'], { ...created.env, ...extraEnv });
  const parsed = JSON.parse(result.stdout) as { findings: JsonFinding[] };
  return { code: result.code, findings: parsed.findings, stderr: result.stderr };
}

const ids = (findings: JsonFinding[]): string[] => findings.map((finding) => finding.id);

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('gatehouse doctor', { timeout: 60_000 }, () => {
  it('passes a clean loopback config: exit 0, only the skipped live check, readable text', async () => {
    const created = home('[gateway]\nport = 0\n');
    const json = await doctorJson(created);
    expect(json.code).toBe(0);
    expect(json.findings).toEqual([
      {
        id: 'gateway-not-running',
        severity: 'info',
        key: null,
        message: expect.stringContaining('live checks skipped') as unknown as string,
        fix: expect.stringContaining('gatehouse start') as unknown as string,
      },
    ]);
    const text = await runCli(['doctor', '--config', created.configPath], created.env);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`gatehouse doctor: ${created.configPath}`);
    expect(text.stdout).toContain('INFO (1)\n  [gateway-not-running]\n');
    expect(text.stdout).not.toContain('CRITICAL');
    expect(readdirSync(created.dir)).toEqual(['config.toml']);
  });

  it('fails a public config without pairing: exit 1, critical first in text and in --json', async () => {
    const created = home(
      '[gateway]\nport = 0\nhost = "0.0.0.0"\nallow_public_bind = true\nrequire_pairing = false\n',
    );
    const json = await doctorJson(created);
    expect(json.code).toBe(1);
    expect(json.findings[0]).toMatchObject({
      id: 'public-without-pairing',
      severity: 'critical',
      key: 'gateway.require_pairing',
    });
    expect(ids(json.findings)).toEqual(
      expect.arrayContaining(['public-without-rate-limit', 'public-bind-without-tunnel']),
    );
    const text = await runCli(['doctor'], created.env);
    expect(text.code).toBe(1);
    const critical = text.stdout.indexOf('CRITICAL (1)');
    const warning = text.stdout.indexOf('WARNING (');
    expect(critical).toBeGreaterThan(0);
    expect(warning).toBeGreaterThan(critical);
    expect(text.stdout).toContain('[public-without-pairing] gateway.require_pairing');
    expect(text.stdout).toContain('fix: set gateway.require_pairing = true');
  });

  it.each([
    ['a wrong type', '[gateway]\nport = "eighty"\n'],
    ['invalid TOML', '[gateway\nport = 0\n'],
    ['a public bind start refuses', '[gateway]\nport = 0\nhost = "0.0.0.0"\n'],
  ])(
    'refuses an invalid config (%s) with exit 2 and the line config check prints',
    async (_label, toml) => {
      const created = home(toml);
      const [doctor, check] = await Promise.all([
        runCli(['doctor', '--json'], created.env),
        runCli(['config', 'check'], created.env),
      ]);
      expect(doctor.code).toBe(2);
      expect(doctor.stdout).toBe('');
      expect(doctor.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(doctor.stderr).toBe(check.stderr);
    },
  );

  it('reports a world-readable config file holding a secret, naming the env var and not the value', async () => {
    const created = home(
      '[gateway]\nport = 0\n[providers.openai]\napi_key = "sk-doctor-secret-value"\n',
    );
    chmodSync(created.configPath, 0o644);
    const json = await doctorJson(created);
    expect(json.code).toBe(1);
    expect(json.findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: 'config-file-readable', severity: 'critical' }),
        expect.objectContaining({
          id: 'secret-in-config-file',
          key: 'providers.openai.api_key',
          message: expect.stringContaining('GATEHOUSE_OPENAI_API_KEY') as unknown as string,
        }),
      ]),
    );
    const text = await runCli(['doctor'], created.env);
    for (const output of [JSON.stringify(json), text.stdout, text.stderr]) {
      expect(output).not.toContain('sk-doctor-secret-value');
    }
  });

  it('audits the defaults where no config file exists, and creates no file', async () => {
    const created = home('');
    const fresh = join(created.dir, 'fresh');
    const json = await doctorJson(created, { GATEHOUSE_HOME: fresh });
    expect(json.code).toBe(0);
    expect(ids(json.findings)).toEqual(['config-file-missing', 'gateway-not-running']);
    expect(readdirSync(created.dir)).toEqual(['config.toml']);
  });

  it('checks a running gateway: it answers /health, and so does a public_url that reaches it', async () => {
    const created = cli.adopt(liveHome());
    const gateway = await startLiveGateway(created);
    const before = await doctorJson(created);
    expect(before.code).toBe(0);
    expect(ids(before.findings)).toEqual([]);

    writeFileSync(
      created.configPath,
      liveConfig().replace(
        '[gateway]\n',
        `[gateway]\npublic_url = "${gateway.url}"\ntrusted_proxies = ["127.0.0.1/32"]\n`,
      ),
    );
    const reached = await doctorJson(created);
    expect(ids(reached.findings)).toEqual([]);
    await gateway.stop();
  });

  it('reports a public_url that does not answer /health, without failing the run', async () => {
    const created = cli.adopt(liveHome());
    const gateway = await startLiveGateway(created);
    const port = await closedPort();
    writeFileSync(
      created.configPath,
      liveConfig().replace(
        '[gateway]\n',
        `[gateway]\npublic_url = "http://127.0.0.1:${port}"\ntrusted_proxies = ["127.0.0.1/32"]\n`,
      ),
    );
    const json = await doctorJson(created);
    expect(json.code).toBe(0);
    expect(json.findings).toEqual([
      {
        id: 'public-url-unreachable',
        severity: 'warning',
        key: 'gateway.public_url',
        message: expect.stringContaining('connection failed (ECONNREFUSED)') as unknown as string,
        fix: expect.any(String) as unknown as string,
      },
    ]);
    await gateway.stop();
  });

  it('reports a gateway whose gateway.json names a live pid that does not answer', async () => {
    const created = home('[gateway]\nport = 0\n');
    const port = await closedPort();
    writeFileSync(
      join(created.dir, 'gateway.json'),
      JSON.stringify({ url: `http://127.0.0.1:${port}`, pid: process.pid }),
      { mode: 0o600 },
    );
    const json = await doctorJson(created);
    expect(json.code).toBe(0);
    expect(ids(json.findings)).toEqual(['gateway-health-failed']);
  });
});
