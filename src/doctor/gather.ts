import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import type { Env } from '../config/paths.js';
import type { Config } from '../config/schema.js';
import { readRuntimeInfo, runtimeInfoPath } from '../runtime/runtime-info.js';
import { findExecutable } from './find-executable.js';
import { listFileSecrets } from './file-secret-keys.js';
import { probeHealth } from './probe-health.js';
import { tunnelBinary } from './tunnel-binary.js';
import type { DoctorFacts, GatewayFacts, StateFile } from './types.js';

/*
 * The only I/O of the audit, and all of it read-only: stat and read files, look at PATH, and
 * GET /health. Nothing here creates a file, so doctor on a fresh machine leaves no trace.
 */

export interface GatherDoctorFactsOptions {
  config: Config;
  configPath: string;
  /** The state directory (`$GATEHOUSE_HOME`, or the explicit config's directory). */
  home: string;
  env: Env;
  cwd?: string;
  fetch?: typeof fetch;
  /** Timeout of the loopback /health probe. */
  localTimeoutMs?: number;
  /** Timeout of the public URL's /health probe. */
  publicTimeoutMs?: number;
  /** Whether a pid is alive; tests pass their own. */
  isAlive?: (pid: number) => boolean;
}

const checksModes = process.platform !== 'win32';

/** SQLite keeps recent writes in `-wal` and `-shm` files beside the database, just as private. */
function withSqliteSidecars(path: string): string[] {
  return [path, `${path}-wal`, `${path}-shm`];
}

/** Permission bits of `path`, or undefined when it does not exist. */
function modeOf(path: string): number | undefined {
  try {
    return statSync(path).mode & 0o777;
  } catch {
    // ENOENT (or an unreadable directory on the way): nothing to audit for this path.
    return undefined;
  }
}

function stateFiles(config: Config, home: string): StateFile[] {
  const candidates: Array<{ path: string; grantsAccess: boolean }> = [
    { path: join(home, 'jwt.secret'), grantsAccess: true },
    { path: join(home, 'admin.secret'), grantsAccess: true },
    ...[
      join(home, 'state.db'),
      config.memory.path ?? join(home, 'memory.db'),
      config.inbox.path ?? join(home, 'inbox.db'),
    ]
      .flatMap(withSqliteSidecars)
      .map((path) => ({ path, grantsAccess: false })),
  ];
  const files: StateFile[] = [];
  for (const candidate of candidates) {
    const mode = modeOf(candidate.path);
    if (mode !== undefined) files.push({ ...candidate, mode });
  }
  return files;
}

function fileSecrets(configPath: string): DoctorFacts['fileSecrets'] {
  let text: string;
  try {
    text = readFileSync(configPath, 'utf8');
  } catch {
    // ENOENT: no config file (doctor audits the defaults), so no secret is written anywhere.
    return [];
  }
  // loadConfig has parsed this very file already, so it is valid TOML.
  return listFileSecrets(parse(text) as Record<string, unknown>);
}

function defaultIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user; ESRCH: it is gone.
    return typeof error === 'object' && error !== null && 'code' in error && error.code === 'EPERM';
  }
}

/** The public address to probe: public_url, else a named tunnel's URL, else the live tunnel URL. */
function publicUrlOf(
  config: Config,
  tunnelUrl: string | undefined,
): { url: string; key?: string } | undefined {
  if (config.gateway.public_url !== undefined) {
    return { url: config.gateway.public_url, key: 'gateway.public_url' };
  }
  if (config.tunnel.provider === 'cloudflare' && config.tunnel.cloudflare.url !== undefined) {
    return { url: config.tunnel.cloudflare.url, key: 'tunnel.cloudflare.url' };
  }
  return tunnelUrl === undefined ? undefined : { url: tunnelUrl, key: 'tunnel.provider' };
}

async function gatewayFacts(options: GatherDoctorFactsOptions): Promise<GatewayFacts> {
  const runtimeFile = runtimeInfoPath(options.home);
  const info = await readRuntimeInfo(options.home);
  if (info === undefined) return { state: 'not-running', runtimeFile };
  if (!(options.isAlive ?? defaultIsAlive)(info.pid)) {
    return { state: 'stale', runtimeFile, pid: info.pid };
  }
  const probe = { fetch: options.fetch };
  const health = await probeHealth(info.url, {
    ...probe,
    timeoutMs: options.localTimeoutMs ?? 3000,
  });
  const target = publicUrlOf(options.config, health.ok ? health.tunnelUrl : undefined);
  const base = { state: 'running' as const, url: info.url, pid: info.pid, health };
  if (target === undefined) return base;
  const publicHealth = await probeHealth(target.url, {
    ...probe,
    timeoutMs: options.publicTimeoutMs ?? 5000,
  });
  return { ...base, publicUrl: { ...target, health: publicHealth } };
}

/** Gathers what the checks need: file modes, secrets in the file, the tunnel binary, the live gateway. */
export async function gatherDoctorFacts(options: GatherDoctorFactsOptions): Promise<DoctorFacts> {
  const { config, configPath, home } = options;
  const configMode = modeOf(configPath);
  const binary = tunnelBinary(config);
  const homeMode = checksModes ? modeOf(home) : undefined;
  return {
    configFile: {
      path: configPath,
      exists: configMode !== undefined,
      ...(checksModes && configMode !== undefined ? { mode: configMode } : {}),
    },
    stateDir: { path: home, ...(homeMode === undefined ? {} : { mode: homeMode }) },
    stateFiles: checksModes ? stateFiles(config, home) : [],
    fileSecrets: fileSecrets(configPath),
    ...(binary === undefined
      ? {}
      : {
          tunnelBinary: {
            ...binary,
            found: findExecutable(binary.name, options.env.PATH, options.cwd ?? process.cwd()),
          },
        }),
    gateway: await gatewayFacts(options),
  };
}
