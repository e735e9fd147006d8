import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CADDY, NGINX, findDebianBinaries } from './debian-binary.js';
import {
  nginxWorkerUser,
  readShippedFile,
  renderCaddyfile,
  renderNginxMain,
  renderNginxSite,
} from './proxy-configs.js';
import type { ProxyPorts } from './proxy-configs.js';

/*
 * Real nginx and real Caddy in front of a gateway on loopback, each run from a test variant of
 * the shipped file (proxy-configs.ts) in a private temp directory: no /etc, /var/log or /run,
 * no admin port, so a system nginx or Caddy on this machine is neither needed nor disturbed.
 */

export type ProxyKind = 'nginx' | 'caddy';

/** A running reverse proxy. */
export interface RunningProxy {
  kind: ProxyKind;
  /** `http://127.0.0.1:PORT`. */
  url: string;
  port: number;
  /** What the proxy wrote to stdout/stderr and its error log (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

/** A loopback port held open until `release()`, so nothing else takes it in the meantime. */
export interface ReservedPort {
  port: number;
  release(): Promise<void>;
}

/**
 * Reserves a free loopback port for a config that must name its port before the process that
 * listens on it starts (the gateway's `public_url` names the proxy's port). Release it right
 * before starting that process: the window in which another test could take it is then tiny.
 */
export async function reserveLoopbackPort(): Promise<ReservedPort> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    release: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Every proxy started and not yet stopped, with its stop function. */
const running = new Map<ChildProcess, () => Promise<void>>();
// Last resort when the test process exits without its afterAll (crash, timeout kill): SIGTERM, so
// nginx's master also ends its workers (a SIGKILLed master would leave them running).
process.once('exit', () => {
  for (const child of running.keys()) child.kill('SIGTERM');
});

/** Starts `kind` on the reserved port (released just before), proxying to `upstreamPort`. */
export async function startReverseProxy(
  kind: ProxyKind,
  listen: ReservedPort,
  upstreamPort: number,
): Promise<RunningProxy> {
  const ports: ProxyPorts = { listenPort: listen.port, upstreamPort };
  let binary: string | undefined;
  try {
    [binary] = findDebianBinaries([kind === 'nginx' ? NGINX : CADDY]);
  } finally {
    // Released here on failure too; the spawn below follows within milliseconds.
    await listen.release();
  }
  const dir = mkdtempSync(join(tmpdir(), `gatehouse-${kind}-`));
  // nginx workers drop root privileges and must still reach the temp directories in here.
  chmodSync(dir, 0o755);
  const { command, args, env, started } =
    kind === 'nginx' ? prepareNginx(dir, ports) : prepareCaddy(dir, ports);
  const child = spawn(binary ?? kind, [...command, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const stop = async (): Promise<void> => {
    await stopChild(child, exited);
    running.delete(child);
    rmSync(dir, { recursive: true, force: true });
  };
  running.set(child, stop);
  try {
    await waitForListener(ports.listenPort, child, () => started(output));
  } catch (error) {
    await stop();
    throw new Error(`${kind} did not start: ${(error as Error).message}\n${output}`);
  }
  return {
    kind,
    url: `http://127.0.0.1:${ports.listenPort}`,
    port: ports.listenPort,
    output: () => output,
    stop,
  };
}

/** Stops every proxy still running and removes its directory (for afterAll). */
export async function stopAllProxies(): Promise<void> {
  await Promise.all([...running.values()].map((stop) => stop()));
}

interface Invocation {
  command: string[];
  args: string[];
  env: Record<string, string>;
  /** True once the proxy says it has bound its ports (given its output so far). */
  started(output: string): boolean;
}

function prepareNginx(dir: string, ports: ProxyPorts): Invocation {
  const sitePath = join(dir, 'gatehouse-site.conf');
  writeFileSync(sitePath, renderNginxSite(readShippedFile('nginx.conf'), ports));
  const mainPath = join(dir, 'nginx.conf');
  writeFileSync(mainPath, renderNginxMain(dir, sitePath, nginxWorkerUser()));
  return {
    command: [],
    // -e: the error log used before the config is read (otherwise /var/log/nginx/error.log).
    args: ['-p', `${dir}/`, '-c', mainPath, '-e', join(dir, 'error.log')],
    env: { PATH: process.env.PATH ?? '' },
    // The master writes its pid file after binding every listener.
    started: () => existsSync(join(dir, 'nginx.pid')),
  };
}

function prepareCaddy(dir: string, ports: ProxyPorts): Invocation {
  const caddyfile = join(dir, 'Caddyfile');
  writeFileSync(caddyfile, renderCaddyfile(readShippedFile('Caddyfile'), ports, join(dir, 'data')));
  return {
    command: ['run'],
    args: ['--config', caddyfile, '--adapter', 'caddyfile'],
    // Caddy keeps certificates and autosaved config under HOME/XDG dirs: all inside `dir`.
    env: {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      XDG_DATA_HOME: join(dir, 'data'),
      XDG_CONFIG_HOME: join(dir, 'config'),
    },
    started: (output) => output.includes('serving initial configuration'),
  };
}

/**
 * Resolves once the proxy reports that it started and `port` accepts connections (the report
 * tells it apart from another process that took the port); rejects when the child exits or
 * after 15 s.
 */
async function waitForListener(
  port: number,
  child: ChildProcess,
  started: () => boolean,
): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`exited with ${child.exitCode ?? child.signalCode}`);
    }
    if (started() && (await accepts(port))) return;
    await sleep(50);
  }
  throw new Error(`nothing listened on 127.0.0.1:${port} within 15 s`);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** SIGTERM (both proxies shut down at once on it), SIGKILL after 5 s. */
async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
