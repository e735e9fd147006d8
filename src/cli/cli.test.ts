import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli, startCli, useBuiltCli } from '../test-support/gatehouse-process.js';

const { tempHome: home } = useBuiltCli();

const STACK_FRAME = /^\s+at /m;

describe('gatehouse CLI', () => {
  it('prints the package version with --version', async () => {
    const pkg = JSON.parse(
      readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
    ) as {
      version: string;
    };
    const result = await runCli(['--version'], home('').env);
    expect(result).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
  });

  it.each([[['--help']], [['start', '--help']], [['config', 'check', '--help']]])(
    'prints usage for %j and exits 0',
    async (args) => {
      const result = await runCli(args, home('').env);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('Usage: gatehouse');
    },
  );

  it.each([
    [['start', '--bogus']],
    [['start', '--port', 'abc']],
    [['nonsense']],
    [['tokens', 'revoke', 'abc']],
    [['token', 'create', '--subject', 'u', '--scope', 'bogus:scope']],
    [['token', 'create', '--subject', 'u', '--scope', 'channels:web', '--expiry', '1w']],
    [['token', 'create', '--subject', 'u', '--scope', 'channels:web', '--issuer', 'other-iss']],
    [['sessions', 'kill', 'not-a-uuid']],
  ])('exits 2 on the usage error %j', async (args) => {
    const result = await runCli(args, home('').env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: /);
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });

  it('keeps exit 1 for a well-formed token prefix that matches nothing', async () => {
    const result = await runCli(['tokens', 'revoke', 'abcdef01'], home('').env);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('gatehouse: No paired token matches prefix abcdef01\n');
  });

  it('starts with port 0 and prints exactly one listening line with the real port', async () => {
    const { env } = home('[gateway]\nport = 0\n');
    const gateway = await startCli([], env);
    expect(gateway.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(gateway.url).not.toMatch(/:0$/);
    const response = await fetch(`${gateway.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: expect.any(String), paired: false });
    expect(gateway.stdout().match(/gatehouse listening on/g)).toHaveLength(1);
  });

  it('honours --host and --port over the file, with IPv6 in brackets', async () => {
    const { env } = home('[gateway]\nport = 1\n');
    const gateway = await startCli(['--host', '::1', '--port', '0'], env);
    expect(gateway.url).toMatch(/^http:\/\/\[::1\]:\d+$/);
    expect((await fetch(`${gateway.url}/health`)).status).toBe(200);
  });

  it('creates a commented config in GATEHOUSE_HOME when none exists', async () => {
    const created = home('');
    const result = await runCli(['config', 'check', '--format', 'json'], {
      ...created.env,
      GATEHOUSE_HOME: `${created.dir}/fresh`,
    });
    expect(result.code).toBe(0);
    expect(readFileSync(`${created.dir}/fresh/config.toml`, 'utf8')).toContain('#port = 3000');
    expect(JSON.parse(result.stdout)).toMatchObject({ gateway: { port: 3000 } });
  });

  it('refuses host 0.0.0.0 without a tunnel: exit 2, names allow_public_bind, no stack', async () => {
    const { env } = home('[gateway]\nport = 0\nhost = "0.0.0.0"\n');
    const result = await runCli(['start'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('allow_public_bind');
    expect(result.stderr).toContain('[tunnel]');
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(result.stdout).not.toContain('gatehouse listening on');
  });

  it('reports port = "abc" by key name with exit 2 and one line', async () => {
    const { env } = home('[gateway]\nport = "abc"\n');
    for (const args of [['start'], ['config', 'check']]) {
      const result = await runCli(args, env);
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(
        'config error: gateway.port = "abc" — expected an integer 0–65535\n',
      );
    }
  });

  it('reports a TOML syntax error with its line and exit 2', async () => {
    const created = home('[gateway\nport = 0\n');
    const result = await runCli(['config', 'check'], created.env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${created.configPath}:1:`);
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });

  it('warns about a typo by name and still starts; --strict refuses with exit 2', async () => {
    const { env } = home('[gateway]\nport = 0\nprot = 8080\n');
    const gateway = await startCli([], env);
    expect(gateway.stdout()).toContain('unknown config key \\"gateway.prot\\"');
    const strict = await runCli(['start', '--strict'], env);
    expect(strict.code).toBe(2);
    expect(strict.stderr).toContain('"gateway.prot"');
  });

  it('config check prints the effective config with secrets masked', async () => {
    const { env } = home('[channels_config.webhook]\nsecret = "file-secret"\n');
    const result = await runCli(['config', 'check'], {
      ...env,
      GATEHOUSE_JWT_SECRET: 'env-secret-env-secret-env-secret!',
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('secret = "****"');
    expect(result.stdout).toContain('jwt_secret = "****"');
    expect(result.stdout).toContain('port = 3000');
    expect(result.stdout).not.toMatch(/file-secret|env-secret/);
  });
});
