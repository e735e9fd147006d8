import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GatewayHandle } from '../main.js';
import { startGateway } from '../main.js';

/*
 * Runs the real composition root in-process on 127.0.0.1, port 0, with a private temporary home,
 * and captures both what it prints on stdout (listening and pairing lines) and every log line.
 */

/** Makes every log level visible, so "never logged" assertions cover debug lines too. */
export const DEBUG_LOGS_TOML = '[observability]\nlog_level = "debug"\n';

/** A temporary GATEHOUSE_HOME holding `config.toml`. */
export interface GatewayHome {
  dir: string;
  configPath: string;
}

/** Options for startTestGateway. */
export interface TestGatewayOptions {
  /** Config file text, written verbatim (the port is always overridden to 0). */
  toml?: string;
  /** Extra environment (GATEHOUSE_HOME is always set to the temp home). */
  env?: Record<string, string>;
  /** Reuse an existing home instead of creating one (restarts). */
  home?: GatewayHome;
}

/** An in-process gateway and what it wrote. */
export interface TestGateway {
  readonly handle: GatewayHandle;
  readonly url: string;
  readonly home: GatewayHome;
  /** Plain lines the gateway wrote to its stdout sink. */
  readonly stdoutLines: string[];
  /** Raw JSON log lines. */
  readonly logLines: string[];
  /** The code from the `pairing code` line, if one was printed. */
  pairingCode(): string | undefined;
  /** Pairs with the printed code and returns the token (throws when pairing fails). */
  pair(): Promise<string>;
  /** Closes this gateway and starts a new one on the same home, config and environment. */
  restart(): Promise<TestGateway>;
  close(): Promise<void>;
}

/** The parsed answer of a request to the gateway. */
export interface GatewayReply {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

const gateways = new Set<TestGateway>();
const homes = new Set<string>();

/** Creates a temp home with the given config text. */
export function makeGatewayHome(toml = ''): GatewayHome {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-it-'));
  homes.add(dir);
  const configPath = join(dir, 'config.toml');
  writeFileSync(configPath, toml, { mode: 0o600 });
  return { dir, configPath };
}

/** Starts the gateway in-process; close everything with `closeTestGateways()` in afterEach. */
export async function startTestGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const home = options.home ?? makeGatewayHome(options.toml);
  const env = { ...options.env, GATEHOUSE_HOME: home.dir };
  const stdoutLines: string[] = [];
  const logLines: string[] = [];
  const handle = await startGateway({
    configPath: home.configPath,
    portOverride: 0,
    env,
    stdout: { write: (text: string) => stdoutLines.push(...text.split('\n').filter(Boolean)) },
    logDestination: { write: (line: string) => void logLines.push(line) },
  });
  const pairingCode = (): string | undefined =>
    stdoutLines
      .map((line) => /pairing code: (\d{6})$/.exec(line)?.[1])
      .find((code) => code !== undefined);
  const gateway: TestGateway = {
    handle,
    url: handle.url,
    home,
    stdoutLines,
    logLines,
    pairingCode,
    async pair() {
      const code = pairingCode();
      if (code === undefined)
        throw new Error(`no pairing code printed:\n${stdoutLines.join('\n')}`);
      const reply = await send(gateway, '/pair', { headers: { 'x-pairing-code': code } });
      const token = reply.body.token;
      if (reply.status !== 200 || typeof token !== 'string') {
        throw new Error(`pairing failed: ${reply.status} ${JSON.stringify(reply.body)}`);
      }
      return token;
    },
    async restart() {
      await gateway.close();
      return startTestGateway({ ...options, home });
    },
    async close() {
      gateways.delete(gateway);
      await handle.close();
    },
  };
  gateways.add(gateway);
  return gateway;
}

/** Closes every gateway still running and removes every temp home (for afterEach). */
export async function closeTestGateways(): Promise<void> {
  await Promise.all([...gateways].map((gateway) => gateway.close()));
  for (const dir of homes) rmSync(dir, { recursive: true, force: true });
  homes.clear();
}

/** Options for send. */
export interface SendOptions {
  method?: string;
  headers?: Record<string, string>;
  /** A string is sent as-is; anything else as JSON. Omitted: an empty POST. */
  body?: unknown;
}

/** Sends a request (POST by default) and parses the JSON answer. */
export async function send(
  gateway: Pick<TestGateway, 'url'>,
  path: string,
  options: SendOptions = {},
): Promise<GatewayReply> {
  const method = options.method ?? 'POST';
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${gateway.url}${path}`, { method, headers, body });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Non-JSON answers (e.g. /metrics text) are kept raw under `text`.
    parsed = { text };
  }
  const record = typeof parsed === 'object' && parsed !== null ? parsed : { value: parsed };
  return {
    status: response.status,
    headers: response.headers,
    body: record as Record<string, unknown>,
  };
}

/** `POST /webhook` with `{"message": text}` and an optional bearer token. */
export function postMessage(
  gateway: Pick<TestGateway, 'url'>,
  text: string,
  options: { token?: string; headers?: Record<string, string> } = {},
): Promise<GatewayReply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  return send(gateway, '/webhook', { headers, body: { message: text } });
}

/** A plaintext paired token in the real format, for `paired_tokens` entries written by hand. */
export function handMadeToken(fill: string): string {
  return `gth_${fill.repeat(64).slice(0, 64)}`;
}
