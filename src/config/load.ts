import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { ConfigError } from './config-error.js';
import { applySecretEnv } from './env.js';
import { formatConfigIssues } from './issues.js';
import type { Env } from './paths.js';
import { resolveConfigPath, resolveHome } from './paths.js';
import { configSchema, SECRET_KEYS } from './schema.js';
import type { Config } from './schema.js';
import { renderConfigTemplate } from './template.js';
import { findUnknownKeys, formatUnknownKey } from './unknown-keys.js';

export interface LoadConfigOptions {
  /** `--config PATH`; otherwise GATEHOUSE_CONFIG, then $GATEHOUSE_HOME/config.toml. */
  path?: string | undefined;
  env: Env;
  /** Unknown keys become an error instead of a warning. */
  strict?: boolean;
  /** Command-line values that win over the file (`--host`, `--port`); validated like the file. */
  overrides?: { host?: string | undefined; port?: number | undefined };
  cwd?: string;
  /**
   * False: a missing file reads as an empty one (all defaults) instead of being created from the
   * template, for commands that must leave no trace (`doctor`). Default true.
   */
  createIfMissing?: boolean;
}

export interface LoadedConfig {
  config: Config;
  /** Absolute path of the config file that was read. */
  path: string;
  /** State directory (see resolveHome). */
  home: string;
  /** One line each: unknown keys, environment variables that had no effect. */
  warnings: string[];
  /** True when this call wrote the commented template because the file did not exist. */
  created: boolean;
}

/**
 * Reads, completes and validates the configuration.
 * @throws ConfigError (exit code 2) with one line naming the key, the value and what is allowed.
 */
export function loadConfig(options: LoadConfigOptions): LoadedConfig {
  const cwd = options.cwd ?? process.cwd();
  const resolved = resolveConfigPath({ flag: options.path, env: options.env, cwd });
  const home = resolveHome(options.env, resolved.explicit ? resolved.path : undefined, cwd);
  const createIfMissing = options.createIfMissing ?? true;
  const created = createIfMissing ? ensureConfigFile(resolved.path) : false;
  const raw = parseToml(readConfigText(resolved.path, !createIfMissing), resolved.path);

  const unknown = findUnknownKeys(raw, configSchema);
  if (options.strict === true && unknown.length > 0) {
    throw new ConfigError(
      `config error: ${unknown.map((key) => formatUnknownKey(key, false)).join('; ')} (--strict)`,
    );
  }
  const warnings = unknown.map((key) => formatUnknownKey(key));
  const exposure = secretExposureWarning(resolved.path, raw);
  if (exposure !== undefined) warnings.push(exposure);

  const withEnv = applySecretEnv(raw, options.env, configSchema);
  warnings.push(...withEnv.warnings);
  const input = applyOverrides(withEnv.raw, options.overrides);

  // Parsed once per load: zod's generated fast path (built and compiled per object schema on
  // first use) would cost more start-up time than it could save.
  const parsed = configSchema.safeParse(input, { jitless: true });
  if (!parsed.success) {
    throw new ConfigError(formatConfigIssues(parsed.error.issues, configSchema, input));
  }
  return { config: parsed.data, path: resolved.path, home, warnings, created };
}

/** Writes the commented template when the file is missing; true when it did. */
export function ensureConfigFile(path: string): boolean {
  // The usual case, without rendering the template: the file is there.
  if (existsSync(path)) return false;
  try {
    // 0700/0600: the file will hold secrets and token hashes; nobody else needs to read it.
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(path, renderConfigTemplate(), { mode: 0o600, flag: 'wx' });
    return true;
  } catch (error) {
    // EEXIST is the normal case (the file is there, or another process created it just now).
    if (errorCode(error) === 'EEXIST') return false;
    throw new ConfigError(`config error: cannot create ${path} (${errorCode(error) ?? 'error'})`, {
      cause: error,
    });
  }
}

/** A warning when the file holds secrets yet other users may read it. */
function secretExposureWarning(path: string, raw: Record<string, unknown>): string | undefined {
  if (process.platform === 'win32' || !containsSecret(raw)) return undefined;
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) === 0) return undefined;
  return `${path} holds secrets but is readable by other users (mode ${mode.toString(8)}); run chmod 600 on it`;
}

function containsSecret(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(containsSecret);
  if (typeof value !== 'object' || value === null) return false;
  return Object.entries(value).some(
    ([key, child]) => (SECRET_KEYS.has(key) && child !== undefined) || containsSecret(child),
  );
}

function readConfigText(path: string, missingIsEmpty: boolean): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (missingIsEmpty && errorCode(error) === 'ENOENT') return '';
    throw new ConfigError(`config error: cannot read ${path} (${errorCode(error) ?? 'error'})`, {
      cause: error,
    });
  }
}

function parseToml(text: string, path: string): Record<string, unknown> {
  try {
    return parse(text) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof TomlError) {
      const reason = (error.message.split('\n')[0] ?? 'invalid TOML').replace(
        /^Invalid TOML document: /,
        '',
      );
      throw new ConfigError(
        `config error: ${path}:${error.line}:${error.column}: invalid TOML: ${reason}`,
        { cause: error },
      );
    }
    throw error;
  }
}

function applyOverrides(
  raw: Record<string, unknown>,
  overrides: LoadConfigOptions['overrides'],
): Record<string, unknown> {
  if (overrides === undefined) return raw;
  const gateway = typeof raw.gateway === 'object' && raw.gateway !== null ? raw.gateway : {};
  const next: Record<string, unknown> = { ...gateway };
  if (overrides.host !== undefined) next.host = overrides.host;
  if (overrides.port !== undefined) next.port = overrides.port;
  return { ...raw, gateway: next };
}

function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code: unknown = error.code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}
