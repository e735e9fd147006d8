import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';

/** The environment as the config loader reads it (usually `process.env`). */
export type Env = Readonly<Record<string, string | undefined>>;

export interface ResolveConfigPathOptions {
  /** `--config PATH`, when given. */
  flag?: string | undefined;
  env: Env;
  /** Base for relative paths; defaults to `process.cwd()`. */
  cwd?: string;
}

/** Where the config came from, which also decides the default home directory. */
export interface ResolvedConfigPath {
  path: string;
  /** True when the path came from `--config` or `GATEHOUSE_CONFIG`. */
  explicit: boolean;
}

/**
 * The config file path: `--config`, else `GATEHOUSE_CONFIG`, else `$GATEHOUSE_HOME/config.toml`.
 */
export function resolveConfigPath(options: ResolveConfigPathOptions): ResolvedConfigPath {
  const cwd = options.cwd ?? process.cwd();
  const explicit = nonEmpty(options.flag) ?? nonEmpty(options.env.GATEHOUSE_CONFIG);
  if (explicit !== undefined) {
    return { path: absolutePath(explicit, options.env, cwd), explicit: true };
  }
  return { path: join(resolveHome(options.env, undefined, cwd), 'config.toml'), explicit: false };
}

/**
 * The state directory (memory.db, inbox.db, admin.secret, jwt.secret live here).
 * `GATEHOUSE_HOME` when set; otherwise the directory of an explicitly given config file, so a
 * temporary config never writes state into the user's real home; otherwise `~/.gatehouse`.
 */
export function resolveHome(env: Env, explicitConfigPath?: string, cwd = process.cwd()): string {
  const home = nonEmpty(env.GATEHOUSE_HOME);
  if (home !== undefined) return absolutePath(home, env, cwd);
  if (explicitConfigPath !== undefined) return dirname(absolutePath(explicitConfigPath, env, cwd));
  return join(userHome(env), '.gatehouse');
}

function absolutePath(path: string, env: Env, cwd: string): string {
  if (path === '~') return userHome(env);
  if (path.startsWith('~/')) return join(userHome(env), path.slice(2));
  return isAbsolute(path) ? path : resolve(cwd, path);
}

function userHome(env: Env): string {
  return nonEmpty(env.HOME) ?? homedir();
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
