// The load generator, always a separate process: wrk (Debian package `wrk`) when installed,
// otherwise autocannon's CLI. Returns requests/s and p50/p99 latency in ms.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onLoadCpu } from './cpus.mjs';

const root = new URL('..', import.meta.url).pathname;

function hasWrk() {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (error) {
    // wrk exits 1 after printing its version; only a missing binary (ENOENT) means no wrk.
    return error.code !== 'ENOENT';
  }
}

export const LOAD_TOOL = process.env.BENCH_LOAD_TOOL ?? (hasWrk() ? 'wrk' : 'autocannon');

/** Runs the load generator, on its own CPU (cpus.mjs). */
function run(program, programArgs) {
  const [command, args] = onLoadCpu(program, programArgs);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    child.once('error', reject);
    child.once('exit', (status) =>
      status === 0 ? resolve(out) : reject(new Error(`${program} exited ${status}: ${err}`)),
    );
  });
}

const UNIT_MS = { us: 0.001, ms: 1, s: 1000 };

function parseWrk(text, url) {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1]);
  const percentile = (p) => {
    const match = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s)`, 'm').exec(text);
    return match ? Number(match[1]) * UNIT_MS[match[2]] : NaN;
  };
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(text)?.[1] ?? 0);
  const errors = /Socket errors:.*/.exec(text)?.[0];
  if (non2xx > 0) throw new Error(`${url}: ${non2xx} non-2xx responses`);
  if (errors && /(read|write|timeout) [1-9]/.test(errors)) throw new Error(`${url}: ${errors}`);
  return { rps, p50: percentile(50), p99: percentile(99) };
}

/** One fixed-duration load run: `{ url, method, headers, body }`. */
export async function loadRun(target, { durationSecs, connections }) {
  const headers = target.headers ?? {};
  if (LOAD_TOOL === 'wrk') {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-wrk-'));
    const script = join(dir, 'request.lua');
    const lines = [`wrk.method = ${JSON.stringify(target.method ?? 'GET')}`];
    if (target.body !== undefined) lines.push(`wrk.body = ${JSON.stringify(target.body)}`);
    for (const [name, value] of Object.entries(headers)) {
      lines.push(`wrk.headers[${JSON.stringify(name)}] = ${JSON.stringify(value)}`);
    }
    writeFileSync(script, `${lines.join('\n')}\n`);
    try {
      const text = await run('wrk', [
        '-t1',
        `-c${connections}`,
        `-d${durationSecs}s`,
        '--latency',
        '-s',
        script,
        target.url,
      ]);
      return parseWrk(text, target.url);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const args = [
    join(root, 'node_modules/autocannon/autocannon.js'),
    '--json',
    '-c',
    String(connections),
    '-d',
    String(durationSecs),
    '-m',
    target.method ?? 'GET',
  ];
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}=${value}`);
  if (target.body !== undefined) args.push('-b', target.body);
  args.push(target.url);
  const result = JSON.parse(await run(process.execPath, args));
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${target.url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  }
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}
