import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { configSchema } from './schema.js';
import { checkStartupConfig, requireDefaultProvider } from './startup-checks.js';

const LONG_SECRET = 'a-jwt-secret-of-at-least-32-bytes!';

function check(input: unknown): unknown {
  try {
    return checkStartupConfig(configSchema.parse(input));
  } catch (error) {
    if (error instanceof ConfigError) return { error: error.message, exitCode: error.exitCode };
    throw error;
  }
}

describe('checkStartupConfig: refusals', () => {
  it.each([
    {
      label: 'a public host without a tunnel',
      input: { gateway: { host: '0.0.0.0' } },
      message: /^config error: refusing to bind to public address 0\.0\.0\.0: .*allow_public_bind/,
    },
    {
      label: 'a hostname',
      input: { gateway: { host: 'example.com' } },
      message: /^config error: gateway\.host = "example\.com" is a hostname/,
    },
    {
      label: 'a host that does not parse',
      input: { gateway: { host: 'not a host' } },
      message: /^config error: gateway\.host = "not a host" does not parse/,
    },
    {
      label: 'a JWT secret shorter than 32 bytes',
      input: { gateway: { auth: { jwt_secret: 'only-31-bytes-long-0123456789ab' } } },
      message: /^gateway\.auth\.jwt_secret \(or GATEHOUSE_JWT_SECRET\): secret is 31 bytes/,
    },
    {
      label: 'a default provider without a section',
      input: { default_provider: 'nonexistent' },
      message:
        /^config error: default_provider = "nonexistent" — no such provider; add a \[providers\.nonexistent\] section or use one of: echo$/,
    },
    {
      label: 'a provider section whose type cannot be inferred',
      input: { providers: { local: { base_url: 'http://127.0.0.1:9/v1' } } },
      message: /^config error: Unknown provider type for "local": set providers\.local\.type/,
    },
    {
      label: 'a custom tunnel without command',
      input: { tunnel: { provider: 'custom', custom: { url_pattern: 'https://\\S+' } } },
      message:
        /^config error: tunnel\.custom\.command is required with tunnel\.provider = "custom"/,
    },
    {
      label: 'a custom tunnel whose command does not parse',
      input: { tunnel: { provider: 'custom', custom: { command: 'run "x', url_pattern: 'x' } } },
      message: /^config error: tunnel\.custom\.command does not parse: unterminated " quote$/,
    },
    {
      label: 'a custom tunnel without url_pattern',
      input: { tunnel: { provider: 'custom', custom: { command: 'run {port}' } } },
      message:
        /^config error: tunnel\.custom\.url_pattern is required with tunnel\.provider = "custom"/,
    },
    {
      label: 'a custom tunnel with an invalid url_pattern',
      input: { tunnel: { provider: 'custom', custom: { command: 'run', url_pattern: '(https' } } },
      message: /^config error: tunnel\.custom\.url_pattern is not a valid regular expression: /,
    },
    {
      label: 'a cloudflare token without url',
      input: { tunnel: { provider: 'cloudflare', cloudflare: { token: 'named-tunnel-token' } } },
      message: /^config error: tunnel\.cloudflare\.url is required with tunnel\.cloudflare\.token/,
    },
    {
      label: 'postgres memory without a url',
      input: { memory: { backend: 'postgres' } },
      message: /^config error: memory\.backend = "postgres" needs memory\.url/,
    },
    {
      label: 'a redis inbox with embedded state',
      input: { inbox: { backend: 'redis' } },
      message:
        /^config error: inbox\.backend = "redis" needs state\.backend = "redis" \(the Redis inbox uses state\.url and state\.key_prefix\)$/,
    },
  ])('refuses $label with exit code 2', ({ input, message }) => {
    const result = check(input) as { error: string; exitCode: number };
    expect(result.exitCode).toBe(2);
    expect(result.error).toMatch(message);
  });
});

describe('checkStartupConfig: acceptance', () => {
  it.each([
    { label: 'the defaults', input: {}, address: '127.0.0.1', public: false },
    {
      label: 'IPv6 loopback',
      input: { gateway: { host: '[::1]' } },
      address: '::1',
      public: false,
    },
    {
      label: 'a public host behind a tunnel',
      input: { gateway: { host: '0.0.0.0' }, tunnel: { provider: 'cloudflare' } },
      address: '0.0.0.0',
      public: true,
    },
    {
      label: 'a JWT secret of 32 bytes or more',
      input: { gateway: { auth: { jwt_secret: LONG_SECRET } } },
      address: '127.0.0.1',
      public: false,
    },
    {
      label: 'a bare provider type as default_provider',
      input: { default_provider: 'openai' },
      address: '127.0.0.1',
      public: false,
    },
    {
      label: 'postgres memory with a url, redis state',
      input: {
        memory: { backend: 'postgres', url: 'postgres://u@127.0.0.1:5432/gatehouse' },
        state: { backend: 'redis' },
      },
      address: '127.0.0.1',
      public: false,
    },
    {
      label: 'a redis inbox with redis state',
      input: { inbox: { backend: 'redis' }, state: { backend: 'redis' } },
      address: '127.0.0.1',
      public: false,
    },
    {
      label: 'a default provider with its own section',
      input: { default_provider: 'local', providers: { local: { type: 'openai' } } },
      address: '127.0.0.1',
      public: false,
    },
    {
      label: 'a complete custom tunnel',
      input: {
        tunnel: {
          provider: 'custom',
          custom: { command: 'run {port}', url_pattern: 'https://\\S+' },
        },
      },
      address: '127.0.0.1',
      public: false,
    },
    {
      label: 'a cloudflare token with its url',
      input: {
        tunnel: {
          provider: 'cloudflare',
          cloudflare: { token: 'named-tunnel-token', url: 'https://agent.example.com' },
        },
      },
      address: '127.0.0.1',
      public: false,
    },
    {
      label: 'an incomplete custom section while another provider is chosen',
      input: { tunnel: { provider: 'ngrok', custom: { command: 'run "x' } } },
      address: '127.0.0.1',
      public: false,
    },
  ])('accepts $label', ({ input, address, public: isPublic }) => {
    expect(check(input)).toEqual({ bind: { address, public: isPublic } });
  });

  it('passes on the allow_public_bind warning', () => {
    const result = checkStartupConfig(
      configSchema.parse({ gateway: { host: '0.0.0.0', allow_public_bind: true } }),
    );
    expect(result.bind).toMatchObject({ address: '0.0.0.0', public: true });
    expect(result.bind.warning).toContain('allow_public_bind = true');
  });
});

describe('requireDefaultProvider', () => {
  it('returns the named provider and lists the others when it is missing', () => {
    const providers = new Map([
      ['echo', 1],
      ['local', 2],
    ]);
    expect(requireDefaultProvider({ default_provider: 'local' }, providers)).toBe(2);
    expect(() => requireDefaultProvider({ default_provider: 'x' }, providers)).toThrow(
      'use one of: echo, local',
    );
  });
});
