import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli, useBuiltCli } from '../test-support/gatehouse-process.js';

/*
 * `config check` and `start` share one set of start-up checks: every config `start` refuses must
 * also fail `config check`, with the same exit code and the same one-line message.
 */

const { tempHome: home } = useBuiltCli();

const STACK_FRAME = /^\s+at /m;

describe('config check refuses what start refuses', { timeout: 60_000 }, () => {
  it.each<{ label: string; toml: string; env: Record<string, string>; message: RegExp }>([
    {
      label: 'a public host without a tunnel',
      toml: '[gateway]\nport = 0\nhost = "0.0.0.0"\n',
      env: {},
      message: /^config error: refusing to bind to public address 0\.0\.0\.0: .*allow_public_bind/,
    },
    {
      label: 'a hostname as host',
      toml: '[gateway]\nport = 0\nhost = "example.com"\n',
      env: {},
      message: /^config error: gateway\.host = "example\.com" is a hostname/,
    },
    {
      label: 'a short jwt_secret in the file',
      toml: '[gateway]\nport = 0\n[gateway.auth]\njwt_secret = "too-short"\n',
      env: {},
      message: /^gateway\.auth\.jwt_secret \(or GATEHOUSE_JWT_SECRET\): secret is 9 bytes/,
    },
    {
      label: 'a short GATEHOUSE_JWT_SECRET',
      toml: '[gateway]\nport = 0\n',
      env: { GATEHOUSE_JWT_SECRET: 'short-secret' },
      message: /^gateway\.auth\.jwt_secret \(or GATEHOUSE_JWT_SECRET\): secret is 12 bytes/,
    },
    {
      label: 'an unknown default_provider',
      toml: 'default_provider = "nonexistent"\n[gateway]\nport = 0\n',
      env: {},
      message:
        /^config error: default_provider = "nonexistent" — no such provider; add a \[providers\.nonexistent\] section/,
    },
    {
      label: 'a custom tunnel with an invalid url_pattern',
      toml: '[gateway]\nport = 0\n[tunnel]\nprovider = "custom"\n[tunnel.custom]\ncommand = "t {port}"\nurl_pattern = "(https"\n',
      env: {},
      message: /^config error: tunnel\.custom\.url_pattern is not a valid regular expression: /,
    },
    {
      label: 'a cloudflare token from the environment without tunnel.cloudflare.url',
      toml: '[gateway]\nport = 0\n[tunnel]\nprovider = "cloudflare"\n',
      env: { GATEHOUSE_CLOUDFLARE_TUNNEL_TOKEN: 'named-tunnel-token' },
      message: /^config error: tunnel\.cloudflare\.url is required with tunnel\.cloudflare\.token/,
    },
    {
      label: 'a duration no timer can honour',
      toml: '[gateway]\nport = 0\n[channels_config.web]\nhandshake_timeout_secs = 2147484\n',
      env: {},
      message:
        /^config error: channels_config\.web\.handshake_timeout_secs = 2147484 — expected an integer 1–2147483$/m,
    },
    {
      label: 'an infinite duration',
      toml: '[gateway]\nport = 0\nrequest_timeout_secs = inf\n',
      env: {},
      message:
        /^config error: gateway\.request_timeout_secs = inf — expected an integer 1–2147483$/m,
    },
  ])('$label: exit 2 and the same single line from both', async ({ toml, env, message }) => {
    const created = home(toml);
    const results = await Promise.all(
      [['config', 'check'], ['start']].map((args) => runCli(args, { ...created.env, ...env })),
    );
    for (const result of results) {
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(result.stderr).not.toMatch(STACK_FRAME);
      expect(result.stdout).toBe('');
    }
    expect(results[0]?.stderr).toBe(results[1]?.stderr);
  });

  it('accepts a public host behind a tunnel and warns about allow_public_bind', async () => {
    const tunnel = await runCli(
      ['config', 'check'],
      home('[gateway]\nhost = "0.0.0.0"\n[tunnel]\nprovider = "cloudflare"\n').env,
    );
    expect(tunnel.code).toBe(0);
    expect(tunnel.stdout).toContain('(valid; secrets masked)');
    const optIn = await runCli(
      ['config', 'check'],
      home('[gateway]\nhost = "0.0.0.0"\nallow_public_bind = true\n').env,
    );
    expect(optIn.code).toBe(0);
    expect(optIn.stderr).toContain('warning: binding to public address 0.0.0.0 without a tunnel');
  });

  it('does not generate jwt.secret or any other file besides the config', async () => {
    const created = home('[gateway]\nport = 0\n');
    const result = await runCli(['config', 'check'], created.env);
    expect(result.code).toBe(0);
    expect(readdirSync(created.dir)).toEqual(['config.toml']);
  });
});
