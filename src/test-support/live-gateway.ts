import type { CliProcess, TempHome } from './gatehouse-process.js';
import { makeTempHome, runCli, startCli } from './gatehouse-process.js';

/*
 * The built gateway and the built CLI sharing one temporary GATEHOUSE_HOME, as an operator runs
 * them: `gatehouse start --config <home>/config.toml` in one process, `gatehouse token …` and
 * `gatehouse sessions …` in others. Processes are tracked by gatehouse-process (`killAllCli`).
 */

export interface LiveConfigOptions {
  /** OpenAI-compatible API root of a fake LLM; without it the offline echo provider answers. */
  llmBaseUrl?: string;
  /** TOML sections appended after the generated ones (must start with a `[section]`). */
  extra?: string;
}

/** A gateway config on port 0 with quiet logs, optionally pointing at a fake OpenAI server. */
export function liveConfig(options: LiveConfigOptions = {}): string {
  const lines: string[] = [];
  if (options.llmBaseUrl !== undefined) {
    // Top-level keys must precede every [section] in TOML.
    lines.push('default_provider = "openai"', 'default_model = "gpt-test"', '');
    lines.push('[providers.openai]', `base_url = "${options.llmBaseUrl}"`, 'api_key = "sk-test"');
  }
  lines.push('[gateway]', 'host = "127.0.0.1"', 'port = 0');
  lines.push('[observability]', 'log_level = "warn"');
  if (options.extra !== undefined) lines.push(options.extra);
  return lines.join('\n') + '\n';
}

/** A running built gateway and a CLI bound to the same home. */
export interface LiveGateway {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** `ws://127.0.0.1:PORT`. */
  wsUrl: string;
  home: TempHome;
  process: CliProcess;
  /** Runs `gatehouse <args> --config <home>/config.toml` to completion. */
  cli(args: readonly string[]): Promise<{ code: number | string; stdout: string; stderr: string }>;
  /** The pairing code printed at start. */
  pairingCode(): Promise<string>;
  /** SIGTERM and wait for the exit (the home stays, for a restart). */
  stop(): Promise<void>;
}

/** Starts `gatehouse start --config …` in `home` (env from the home, plus `extraEnv`). */
export async function startLiveGateway(
  home: TempHome,
  extraEnv: Record<string, string> = {},
): Promise<LiveGateway> {
  const env = { ...home.env, ...extraEnv };
  const started = await startCli(['--config', home.configPath], env);
  return {
    url: started.url,
    wsUrl: started.url.replace(/^http/, 'ws'),
    home,
    process: started,
    cli: (args) => runCli([...args, '--config', home.configPath], env),
    pairingCode: async () => {
      const match = await started.waitFor(/gatehouse pairing code: (\d{6})/);
      return match[1] ?? '';
    },
    stop: async () => {
      if (started.child.exitCode === null && started.child.signalCode === null) {
        started.child.kill('SIGTERM');
      }
      await started.exited;
    },
  };
}

/** A fresh home with the given config text; call `cleanup()` in teardown. */
export function liveHome(options: LiveConfigOptions = {}): TempHome {
  return makeTempHome(liveConfig(options));
}

/** What `gatehouse token create` printed. */
export interface IssuedToken {
  token: string;
  jti: string;
}

/** Reads the token and jti lines of `token create` output. */
export function parseIssuedToken(stdout: string): IssuedToken {
  const token = /^token: (\S+)$/m.exec(stdout)?.[1];
  const jti = /^jti: (\S+)$/m.exec(stdout)?.[1];
  if (token === undefined || jti === undefined) {
    throw new Error(`token create printed no token/jti:\n${stdout}`);
  }
  return { token, jti };
}

/** Runs `gatehouse token create` in the gateway's home and returns the token and jti. */
export async function issueToken(
  gateway: Pick<LiveGateway, 'cli'>,
  scope: string,
  expiry = '24h',
  subject = 'user:alice',
): Promise<IssuedToken> {
  const result = await gateway.cli([
    'token',
    'create',
    '--subject',
    subject,
    '--scope',
    scope,
    '--expiry',
    expiry,
  ]);
  if (result.code !== 0) throw new Error(`token create exited ${result.code}: ${result.stderr}`);
  return parseIssuedToken(result.stdout);
}

/** Pairs with the printed code and returns the paired bearer token. */
export async function pairWithCode(url: string, code: string): Promise<string> {
  const response = await fetch(`${url}/pair`, {
    method: 'POST',
    headers: { 'x-pairing-code': code },
  });
  const body = (await response.json()) as { token?: string };
  if (response.status !== 200 || body.token === undefined) {
    throw new Error(`pairing refused: ${response.status} ${JSON.stringify(body)}`);
  }
  return body.token;
}

/** `POST /webhook` with a bearer token; resolves with the status and parsed body. */
export async function postWebhook(
  url: string,
  token: string,
  message = 'hello',
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}/webhook`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ message }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** `POST /ws/ticket` with a bearer token; resolves with the status and parsed body. */
export async function requestTicket(
  url: string,
  token: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}/ws/ticket`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** A ticket for `token`, or an error naming the refusal. */
export async function ticketFor(url: string, token: string): Promise<string> {
  const { status, body } = await requestTicket(url, token);
  if (status !== 200 || typeof body.ticket !== 'string') {
    throw new Error(`ticket refused: ${status} ${JSON.stringify(body)}`);
  }
  return body.ticket;
}

/** The value of `gatehouse_active_sessions` in /metrics. */
export async function activeSessions(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const match = /^gatehouse_active_sessions(?:\{[^}]*\})? (\d+)$/m.exec(text);
  if (match === null) throw new Error('gatehouse_active_sessions missing from /metrics');
  return Number(match[1]);
}

/** Polls `probe` until it returns true (a cross-process state has no event to wait on). */
export async function eventually(
  probe: () => Promise<boolean>,
  what: string,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}
