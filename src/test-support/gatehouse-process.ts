import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll } from 'vitest';

/*
 * Runs the BUILT CLI (`node dist/gatehouse.cjs`) as a user would, with a private temporary home.
 * Every spawned process is tracked so a test's teardown can kill whatever is still running.
 */

const root = new URL('../../', import.meta.url).pathname;
/** Path of the built CLI: the bundle that `npm start` and the `gatehouse` bin run. */
export const CLI_ENTRY = join(root, 'dist', 'gatehouse.cjs');

/** Builds dist/ (compile and bundle) when the CLI entry is missing or older than any source. */
export function buildCliIfStale(): void {
  execFileSync(process.execPath, [join(root, 'scripts', 'build-if-needed.mjs')], {
    stdio: 'inherit',
  });
}

/** What useBuiltCli gives a test file. */
export interface BuiltCliHooks {
  /** A temporary home holding `configToml`, removed after the test. */
  tempHome(configToml: string): TempHome;
  /** Removes `home` (made elsewhere, e.g. by liveHome) after the test; returns it. */
  adopt<Home extends TempHome>(home: Home): Home;
}

/**
 * The hooks of a test file that runs the built CLI: build it once before the file; after each
 * test, kill every CLI process still running and remove the homes it was given.
 */
export function useBuiltCli(): BuiltCliHooks {
  const homes: TempHome[] = [];
  beforeAll(() => buildCliIfStale(), 180_000);
  afterEach(async () => {
    await killAllCli();
    for (const home of homes.splice(0)) home.cleanup();
  });
  const adopt = <Home extends TempHome>(home: Home): Home => {
    homes.push(home);
    return home;
  };
  return { tempHome: (configToml) => adopt(makeTempHome(configToml)), adopt };
}

/** A temporary home with a config file; `cleanup()` removes it. */
export interface TempHome {
  dir: string;
  configPath: string;
  env: Record<string, string>;
  cleanup(): void;
}

/** Creates a temp GATEHOUSE_HOME holding `config.toml` with the given text. */
export function makeTempHome(configToml: string): TempHome {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-'));
  const configPath = join(dir, 'config.toml');
  writeFileSync(configPath, configToml, { mode: 0o600 });
  // Only what node needs: no inherited GATEHOUSE_* secrets, and HOME inside the temp dir.
  const env = { PATH: process.env.PATH ?? '', HOME: dir, GATEHOUSE_HOME: dir };
  return { dir, configPath, env, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A running or finished CLI process with its collected output. */
export interface CliProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal name) once the process has exited. */
  exited: Promise<number | string>;
  /** Resolves when stdout or stderr has matched `pattern`; rejects if the process exits first. */
  waitFor(pattern: RegExp, stream?: 'stdout' | 'stderr'): Promise<RegExpMatchArray>;
}

const running = new Set<ChildProcess>();

/** How to run node: extra node flags, and another entry than the bundle (the unbundled dist/). */
export interface SpawnOptions {
  nodeArgs?: readonly string[];
  entry?: string;
}

/** Spawns `node dist/gatehouse.cjs ...args`. */
export function spawnCli(
  args: readonly string[],
  env: Record<string, string>,
  options: SpawnOptions = {},
): CliProcess {
  const argv = [...(options.nodeArgs ?? []), options.entry ?? CLI_ENTRY, ...args];
  const child = spawn(process.execPath, argv, { env, stdio: 'pipe' });
  running.add(child);
  const out = { stdout: '', stderr: '' };
  const waiters: Array<() => void> = [];
  const notify = (): void => {
    for (const waiter of [...waiters]) waiter();
  };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out.stdout += chunk;
    notify();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    out.stderr += chunk;
    notify();
  });
  const exited = new Promise<number | string>((resolve) => {
    child.on('close', (code, signal) => {
      running.delete(child);
      resolve(code ?? signal ?? 'unknown');
      notify();
    });
  });
  let done = false;
  void exited.then(() => {
    done = true;
  });
  const waitFor = (pattern: RegExp, stream: 'stdout' | 'stderr' = 'stdout') =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = (): void => {
        const match = out[stream].match(pattern);
        if (match !== null) {
          waiters.splice(waiters.indexOf(check), 1);
          resolve(match);
        } else if (done || child.exitCode !== null) {
          waiters.splice(waiters.indexOf(check), 1);
          reject(new Error(`exited before ${pattern}:\n${out.stdout}\n${out.stderr}`));
        }
      };
      waiters.push(check);
      check();
    });
  return { child, stdout: () => out.stdout, stderr: () => out.stderr, exited, waitFor };
}

/** Runs a CLI command to completion. */
export async function runCli(
  args: readonly string[],
  env: Record<string, string>,
): Promise<{ code: number | string; stdout: string; stderr: string }> {
  const cli = spawnCli(args, env);
  const code = await cli.exited;
  return { code, stdout: cli.stdout(), stderr: cli.stderr() };
}

/** Starts the gateway and resolves with its URL once the listening line appears. */
export async function startCli(
  args: readonly string[],
  env: Record<string, string>,
  options: SpawnOptions = {},
): Promise<CliProcess & { url: string }> {
  const cli = spawnCli(['start', ...args], env, options);
  const match = await cli.waitFor(/^gatehouse listening on (http:\/\/\S+)$/m);
  return { ...cli, url: match[1] ?? '' };
}

/** Kills every CLI process still running (for afterEach). */
export async function killAllCli(): Promise<void> {
  const children = [...running];
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('close', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}
