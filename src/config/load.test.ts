import {
  chmodSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { loadConfig } from './load.js';
import { configSchema } from './schema.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-config-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(toml: string): string {
  const path = join(dir, 'config.toml');
  writeFileSync(path, toml);
  return path;
}

function loadError(toml: string, env: Record<string, string> = {}, strict = false): ConfigError {
  try {
    loadConfig({ path: write(toml), env, strict });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig: the file', () => {
  it('creates a missing file (0600, directory 0700) from the template and applies defaults', () => {
    const home = join(dir, 'home');
    const loaded = loadConfig({ env: { GATEHOUSE_HOME: home } });
    expect(loaded.created).toBe(true);
    expect(loaded.path).toBe(join(home, 'config.toml'));
    expect(loaded.home).toBe(home);
    expect(loaded.config).toEqual(configSchema.parse({}));
    expect(statSync(loaded.path).mode & 0o777).toBe(0o600);
    expect(statSync(home).mode & 0o777).toBe(0o700);
    expect(readFileSync(loaded.path, 'utf8')).toContain('#port = 3000');
    expect(loadConfig({ env: { GATEHOUSE_HOME: home } }).created).toBe(false);
  });

  it('with createIfMissing: false reads a missing file as empty and creates nothing', () => {
    const home = join(dir, 'home');
    const loaded = loadConfig({
      env: { GATEHOUSE_HOME: home, GATEHOUSE_JWT_SECRET: 'j'.repeat(32) },
      createIfMissing: false,
    });
    expect(loaded.created).toBe(false);
    expect(loaded.config).toEqual(
      configSchema.parse({ gateway: { auth: { jwt_secret: 'j'.repeat(32) } } }),
    );
    expect(readdirSync(dir)).toEqual([]);
  });

  it('with createIfMissing: false still reads an existing file', () => {
    const path = write('[gateway]\nport = 0\n');
    expect(loadConfig({ path, env: {}, createIfMissing: false }).config.gateway.port).toBe(0);
  });

  it('uses the directory of an explicit config as home when GATEHOUSE_HOME is unset', () => {
    const loaded = loadConfig({ path: write(''), env: { HOME: '/nonexistent' } });
    expect(loaded.home).toBe(dir);
  });

  it('reads values from the file', () => {
    const loaded = loadConfig({ path: write('[gateway]\nport = 0\nhost = "::1"\n'), env: {} });
    expect(loaded.config.gateway).toMatchObject({ port: 0, host: '::1', max_body_bytes: 65536 });
  });

  it('applies --host/--port overrides over the file and validates them', () => {
    const path = write('[gateway]\nport = 4000\n');
    const loaded = loadConfig({ path, env: {}, overrides: { host: '::1', port: 0 } });
    expect(loaded.config.gateway).toMatchObject({ port: 0, host: '::1' });
    expect(() => loadConfig({ path, env: {}, overrides: { port: 70000 } })).toThrow(
      'gateway.port = 70000',
    );
  });
});

describe('loadConfig: file permissions', () => {
  it('warns when a file holding secrets is readable by other users', () => {
    const path = write('[channels_config.webhook]\nsecret = "s"\n');
    chmodSync(path, 0o644);
    expect(loadConfig({ path, env: {} }).warnings).toEqual([
      `${path} holds secrets but is readable by other users (mode 644); run chmod 600 on it`,
    ]);
    chmodSync(path, 0o600);
    expect(loadConfig({ path, env: {} }).warnings).toEqual([]);
  });

  it('does not warn about a readable file without secrets', () => {
    const path = write('[gateway]\nport = 0\n');
    chmodSync(path, 0o644);
    expect(loadConfig({ path, env: {} }).warnings).toEqual([]);
  });
});

describe('loadConfig: environment secrets', () => {
  it('lets the environment win over the file', () => {
    const path = write('[channels_config.webhook]\nsecret = "from-file"\n');
    const loaded = loadConfig({ path, env: { GATEHOUSE_WEBHOOK_SECRET: 'from-env' } });
    expect(loaded.config.channels_config.webhook.secret).toBe('from-env');
  });

  it('fills secrets of always-present sections even when the file omits them', () => {
    const loaded = loadConfig({
      path: write(''),
      env: { GATEHOUSE_WEBHOOK_SECRET: 's3', GATEHOUSE_JWT_SECRET: 'j'.repeat(32) },
    });
    expect(loaded.config.channels_config.webhook.secret).toBe('s3');
    expect(loaded.config.gateway.auth.jwt_secret).toBe('j'.repeat(32));
  });

  it('completes a configured channel but never enables an absent one', () => {
    const withSection = loadConfig({
      path: write('[channels_config.whatsapp]\nphone_number_id = "123"\n'),
      env: { GATEHOUSE_WHATSAPP_ACCESS_TOKEN: 'tok', GATEHOUSE_WHATSAPP_APP_SECRET: 'app' },
    });
    expect(withSection.config.channels_config.whatsapp).toMatchObject({
      access_token: 'tok',
      app_secret: 'app',
    });
    const without = loadConfig({ path: write(''), env: { GATEHOUSE_WHATSAPP_APP_SECRET: 'app' } });
    expect(without.config.channels_config.whatsapp).toBeUndefined();
    expect(without.warnings).toEqual([
      'GATEHOUSE_WHATSAPP_APP_SECRET is set but [channels_config.whatsapp] is not configured (ignored)',
    ]);
  });

  it('reads GATEHOUSE_<NAME>_API_KEY for each [providers.<name>] and the default provider', () => {
    const path = write(
      'default_provider = "openai"\n[providers.my-anthropic]\ntype = "anthropic"\napi_key = "file"\n',
    );
    const loaded = loadConfig({
      path,
      env: { GATEHOUSE_MY_ANTHROPIC_API_KEY: 'env-a', GATEHOUSE_OPENAI_API_KEY: 'env-o' },
    });
    expect(loaded.config.providers['my-anthropic']?.api_key).toBe('env-a');
    expect(loaded.config.providers.openai?.api_key).toBe('env-o');
  });

  it('ignores empty environment variables', () => {
    const path = write('[channels_config.webhook]\nsecret = "from-file"\n');
    const loaded = loadConfig({ path, env: { GATEHOUSE_WEBHOOK_SECRET: '' } });
    expect(loaded.config.channels_config.webhook.secret).toBe('from-file');
  });
});

describe('loadConfig: error messages', () => {
  it.each([
    [
      '[gateway]\nport = "abc"\n',
      'config error: gateway.port = "abc" — expected an integer 0–65535',
    ],
    [
      '[gateway]\nport = 70000\n',
      'config error: gateway.port = 70000 — expected an integer 0–65535',
    ],
    ['[gateway]\nport = 1.5\n', 'config error: gateway.port = 1.5 — expected an integer 0–65535'],
    ['[gateway]\nmax_body_bytes = 0\n', 'gateway.max_body_bytes = 0 — expected an integer ≥ 1'],
    [
      '[gateway]\nrequire_pairing = "no"\n',
      'gateway.require_pairing = "no" — expected true or false',
    ],
    ['default_temperature = 3\n', 'default_temperature = 3 — expected a number 0–2'],
    [
      '[observability]\nbackend = "statsd"\n',
      'observability.backend = "statsd" — expected one of "prometheus", "log", "none"',
    ],
    ['gateway = 5\n', 'gateway = 5 — expected a table'],
    [
      '[channels_config.whatsapp]\naccess_token = "t"\n',
      'config error: channels_config.whatsapp.phone_number_id is required when [channels_config.whatsapp] is present',
    ],
    [
      '[channels_config.whatsapp]\naccess_token = "t"\nphone_number_id = "1"\nallowed_numbers = ["555"]\n',
      'channels_config.whatsapp.allowed_numbers[0] = "555" — expected a string: E.164 number like "+15551234567" or "*"',
    ],
    [
      '[channels_config.telegram]\nbot_token = "t"\nallowed_users = [-4]\n',
      'channels_config.telegram.allowed_users[0] = -4 — expected an integer > 0 or "*"',
    ],
    ['[providers.Big]\n', '[providers.Big] — the section name must be a lowercase name'],
    [
      '[providers.x]\nbase_url = "ftp://h"\n',
      'providers.x.base_url = "ftp://h" — expected an http(s) URL',
    ],
  ])('reports %j by key, value and what is allowed', (toml, message) => {
    const error = loadError(toml);
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain(message);
    expect(error.message).not.toContain('\n');
  });

  it('masks the value of a secret key in the message', () => {
    const error = loadError('[channels_config.webhook]\nsecret = 12345\n');
    expect(error.message).toBe(
      'config error: channels_config.webhook.secret = "****" — expected a non-empty string',
    );
  });

  it('names the other invalid keys after the first', () => {
    const error = loadError('[gateway]\nport = "abc"\nhost = 1\n[memory]\nbackend = "x"\n');
    expect(error.message).toMatch(
      /gateway\.port = "abc".*also invalid: gateway\.host, memory\.backend/,
    );
  });

  it('reports a TOML syntax error with file, line and column', () => {
    const path = write('[gateway]\nport = = 3\n');
    expect(() => loadConfig({ path, env: {} })).toThrow(
      new RegExp(`^config error: ${path.replace(/[.]/g, '\\.')}:2:\\d+: invalid TOML`),
    );
  });
});

describe('loadConfig: unknown keys', () => {
  const toml = '[gateway]\nprot = 3000\n[gatway]\nx = 1\n[providers.any-name]\ntimeout = 5\n';

  it('warns about each unknown key by name with a suggestion and ignores it', () => {
    const loaded = loadConfig({ path: write(toml), env: {} });
    expect(loaded.warnings).toEqual([
      'unknown config key "gateway.prot" (ignored; did you mean "gateway.port"?)',
      'unknown config key "gatway" (ignored; did you mean "gateway"?)',
      'unknown config key "providers.any-name.timeout" (ignored)',
    ]);
    expect(loaded.config.gateway.port).toBe(3000);
  });

  it.each([
    ['port = 3001\n', 'unknown config key "port" (ignored; did you mean "gateway.port"?)'],
    [
      'path = "/tmp/x.db"\n',
      'unknown config key "path" (ignored; did you mean "memory.path" or "inbox.path"?)',
    ],
    [
      'defualt_provider = "echo"\n',
      'unknown config key "defualt_provider" (ignored; did you mean "default_provider"?)',
    ],
  ])('names the sectioned key for the top-level key %j', (toml, warning) => {
    expect(loadConfig({ path: write(toml), env: {} }).warnings).toEqual([warning]);
  });

  it('fails with exit code 2 under --strict, naming the keys', () => {
    const error = loadError(toml, {}, true);
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain('"gateway.prot"');
    expect(error.message).toContain('"providers.any-name.timeout"');
  });

  it('accepts any provider name and every known key without warnings', () => {
    const loaded = loadConfig({
      path: write(
        '[providers.local-llm]\ntype = "openai"\nbase_url = "http://127.0.0.1:8080/v1"\n',
      ),
      env: {},
      strict: true,
    });
    expect(loaded.warnings).toEqual([]);
  });
});
