// Child processes of the load benchmark: the built gateway, the bare baseline and the fake LLM,
// each in its own process so none shares an event loop with the load generator.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const root = new URL('..', import.meta.url).pathname;
const READY_TIMEOUT_MS = 30_000;

/** Spawns node with `args`; resolves once a stdout line matches every regex in `wanted`. */
export function spawnUntil(args, env, wanted) {
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    const found = new Map();
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${args.join(' ')}: not ready within ${READY_TIMEOUT_MS} ms\n${stderr}`));
    }, READY_TIMEOUT_MS);
    const onExit = (status) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited with ${status} before it was ready\n${stderr}`));
    };
    child.once('exit', onExit);
    // Keeps reading after the match so a chatty child never blocks on a full pipe.
    createInterface({ input: child.stdout }).on('line', (line) => {
      for (const [name, regex] of Object.entries(wanted)) {
        const match = regex.exec(line);
        if (match && !found.has(name)) found.set(name, match[1]);
      }
      if (found.size === Object.keys(wanted).length) {
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve({ child, ...Object.fromEntries(found) });
      }
    });
  });
}

export async function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

export function startBaseline() {
  return spawnUntil([join(root, 'bench/baseline-server.mjs')], process.env, {
    url: /^baseline listening on (\S+)/,
  });
}

/** The reference pass-through proxy (bench/pass-through-proxy.mjs) in front of `upstreamUrl`. */
export function startPassThroughProxy(upstreamUrl) {
  return spawnUntil([join(root, 'bench/pass-through-proxy.mjs'), upstreamUrl], process.env, {
    url: /^pass-through proxy listening on (\S+)/,
  });
}

export function startFakeLlm() {
  return spawnUntil([join(root, 'bench/fake-llm.mjs')], process.env, {
    url: /^fake-llm listening on (\S+)/,
  });
}

/**
 * The built gateway in a fresh home, paired. `top` holds top-level keys (they must come before
 * any table), `toml` is appended after the quiet base config, `connections` is the most sockets
 * the gateway keeps open (all of them may be the load generator's).
 */
export async function startGateway(toml = '', top = '', connections = 1024) {
  const home = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
  const config = join(home, 'config.toml');
  writeFileSync(
    config,
    // The load generator is one client with many connections: the per-client caps (64 sockets,
    // 32 requests in progress) would answer part of the load with 429 instead of measuring it.
    `${top}[gateway]\nport = 0\nmax_connections = ${connections}\n` +
      `max_connections_per_client = ${connections}\nmax_requests_per_client = 1024\n\n[observability]\nlog_level = "warn"\n${toml}`,
  );
  const started = await spawnUntil(
    [join(root, 'dist/gatehouse.cjs'), 'start', '--config', config],
    { ...process.env, GATEHOUSE_HOME: home },
    { url: /^gatehouse listening on (http:\/\/\S+)/, code: /pairing code\D*(\d{6})/ },
  );
  const response = await fetch(`${started.url}/pair`, {
    method: 'POST',
    headers: { 'x-pairing-code': started.code },
  });
  if (!response.ok) throw new Error(`pairing failed: ${response.status}`);
  const { token } = await response.json();
  return {
    child: started.child,
    url: started.url,
    token,
    async stop() {
      await stopChild(started.child);
      rmSync(home, { recursive: true, force: true });
    },
  };
}
