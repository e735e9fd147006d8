import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI_ENTRY = join(REPO_ROOT, 'dist', 'cli', 'main.js');

/** A built gateway running as a child process in its own temporary GATEHOUSE_HOME. */
export interface GatewayProcess {
  /** `http://HOST:PORT` from the "gatehouse listening on" line. */
  readonly baseUrl: string;
  /** The one-time code from the line containing "pairing code". */
  readonly pairingCode: string;
  /** Everything the process printed so far, for failure messages. */
  output(): string;
  /** Runs another CLI command (`token create …`) against the same home and config; its stdout. */
  runCli(args: readonly string[]): Promise<string>;
  /** SIGTERM, wait for exit (SIGKILL after a grace period), remove the home directory. */
  stop(): Promise<void>;
}

export interface StartGatewayOptions {
  /** Extra TOML appended to the generated config. */
  extraConfig?: string;
  /** How long to wait for both startup lines. */
  startupTimeoutMs?: number;
}

const LISTENING = /gatehouse listening on (https?:\/\/[^\s"'\\]+)/;

/** Finds the 6-digit code on a line that mentions the pairing code (ignoring other numbers). */
export function findPairingCode(line: string): string | undefined {
  if (!/pairing code/i.test(line)) return undefined;
  const afterLabel = /pairing code\D{0,80}?(\d{6})(?!\d)/i.exec(line);
  if (afterLabel?.[1] !== undefined) return afterLabel[1];
  const standalone = [...line.matchAll(/(?<!\d)(\d{6})(?!\d)/g)];
  return standalone.at(-1)?.[1];
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Spawns `node dist/cli/main.js start` on port 0 and waits for its listening and pairing lines. */
export async function startGatewayProcess(
  options: StartGatewayOptions = {},
): Promise<GatewayProcess> {
  if (!existsSync(CLI_ENTRY)) {
    throw new Error(`${CLI_ENTRY} is missing: run \`npm run build\` before the browser test`);
  }
  const home = mkdtempSync(join(tmpdir(), 'gatehouse-e2e-'));
  const configPath = join(home, 'config.toml');
  writeFileSync(
    configPath,
    ['[gateway]', 'host = "127.0.0.1"', 'port = 0', '', options.extraConfig ?? ''].join('\n'),
  );
  // Inherit PATH and friends, but no GATEHOUSE_* settings from the developer's shell.
  const env: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('GATEHOUSE_')),
  );
  env.GATEHOUSE_HOME = home;
  const child = spawn(process.execPath, [CLI_ENTRY, 'start', '--config', configPath], {
    cwd: home,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const output = () => `--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`;
  child.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr += text));

  const runCli = (args: readonly string[]): Promise<string> =>
    new Promise((resolve, reject) => {
      execFile(
        process.execPath,
        [CLI_ENTRY, ...args, '--config', configPath],
        { cwd: home, env, timeout: 30_000 },
        (error, out, err) =>
          error ? reject(new Error(`gatehouse ${args.join(' ')} failed: ${err}`)) : resolve(out),
      );
    });

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      if (!(await waitForExit(child, 15_000))) {
        child.kill('SIGKILL');
        await waitForExit(child, 5_000);
      }
    }
    rmSync(home, { recursive: true, force: true });
  };

  try {
    const { baseUrl, pairingCode } = await new Promise<{ baseUrl: string; pairingCode: string }>(
      (resolve, reject) => {
        let baseUrl: string | undefined;
        let pairingCode: string | undefined;
        const timer = setTimeout(
          () => reject(new Error(`gateway did not print its startup lines in time\n${output()}`)),
          options.startupTimeoutMs ?? 30_000,
        );
        child.once('exit', (code, signal) => {
          clearTimeout(timer);
          reject(new Error(`gateway exited during startup (${code ?? signal})\n${output()}`));
        });
        child.stdout?.setEncoding('utf8').on('data', (text: string) => {
          stdout += text;
          for (const line of stdout.split('\n')) {
            baseUrl ??= LISTENING.exec(line)?.[1];
            pairingCode ??= findPairingCode(line);
          }
          if (baseUrl !== undefined && pairingCode !== undefined) {
            clearTimeout(timer);
            resolve({ baseUrl, pairingCode });
          }
        });
      },
    );
    return { baseUrl, pairingCode, output, runCli, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
