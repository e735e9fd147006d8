// Start-up benchmark: how long the built gateway takes from spawn to its `gatehouse listening on`
// line, and how much memory it holds once idle. A bare node:http server (spawn to its listening
// line, same idle wait) runs interleaved with it, so the difference is what gatehouse costs.
//
// Usage: node bench/startup.mjs [runs] [--json]   (default 11 runs; BENCH_IDLE_MS sets the idle
// wait before RSS is read, default 5000)
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { refuseOtherBenchProcesses } from './others.mjs';

const JSON_OUTPUT = process.argv.includes('--json');
const positional = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const RUNS = Number(positional[0] ?? process.env.BENCH_STARTUP_RUNS ?? 11);
const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 5000);
const READY_TIMEOUT_MS = 30_000;
const root = new URL('..', import.meta.url).pathname;
const cli = join(root, 'dist/gatehouse.cjs');

if (!Number.isInteger(RUNS) || RUNS < 1) {
  console.error(`runs must be a positive integer, got ${process.argv[2]}`);
  process.exit(2);
}
if (!existsSync(cli)) {
  console.error(`${cli} not found: run \`npm run build\` first`);
  process.exit(2);
}
refuseOtherBenchProcesses();

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resident set size in MB from /proc (Linux only); undefined elsewhere or if the pid is gone. */
function rssMB(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kB = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kB === undefined ? undefined : Number(kB) / 1024;
  } catch {
    // No /proc (macOS, Windows) or the process already exited: reported as n/a.
    return undefined;
  }
}

/** Spawns `args` and resolves with the ms until a stdout line matches `ready`, and the child. */
function spawnUntilReady(args, env, ready) {
  const started = performance.now();
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no ready line within ${READY_TIMEOUT_MS} ms\n${stderr}`));
    }, READY_TIMEOUT_MS);
    const onExit = (status) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${status} before it was ready\n${stderr}`));
    };
    child.once('exit', onExit);
    // Keeps reading after the match so a chatty child never blocks on a full pipe.
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      if (!ready.test(line)) return;
      const ms = performance.now() - started;
      clearTimeout(timer);
      child.off('exit', onExit);
      resolve({ ms, child });
    });
  });
}

async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** A bare node:http server: spawn to its listening line, and its RSS after the same idle wait. */
async function bareNodeRun() {
  const script =
    "require('node:http').createServer((q, s) => s.end('ok')).listen(0, '127.0.0.1', function () {" +
    " console.log('listening on ' + this.address().port); });";
  const { ms, child } = await spawnUntilReady(['-e', script], process.env, /^listening on /);
  try {
    await sleep(IDLE_MS);
    return { ms, rss: rssMB(child.pid) };
  } finally {
    await stop(child);
  }
}

async function gatewayRun() {
  const home = mkdtempSync(join(tmpdir(), 'gatehouse-startup-'));
  const config = join(home, 'config.toml');
  writeFileSync(config, '[gateway]\nport = 0\n');
  try {
    const { ms, child } = await spawnUntilReady(
      [cli, 'start', '--config', config],
      { ...process.env, GATEHOUSE_HOME: home },
      /^gatehouse listening on /,
    );
    try {
      await sleep(IDLE_MS);
      return { ms, rss: rssMB(child.pid) };
    } finally {
      await stop(child);
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

function summarize(values, digits) {
  const known = values.filter((value) => value !== undefined).sort((a, b) => a - b);
  if (known.length === 0) return { median: 'n/a', min: 'n/a', max: 'n/a' };
  const mid = Math.floor(known.length / 2);
  const median = known.length % 2 === 1 ? known[mid] : (known[mid - 1] + known[mid]) / 2;
  const fmt = (value) => Number(value.toFixed(digits));
  return { median: fmt(median), min: fmt(known[0]), max: fmt(known.at(-1)) };
}

const bareMs = [];
const bareRss = [];
const gateMs = [];
const gateRss = [];
for (let i = 0; i < RUNS; i++) {
  // Interleaved, so a burst of load from elsewhere on the machine hits both alike.
  const bare = await bareNodeRun();
  bareMs.push(bare.ms);
  bareRss.push(bare.rss);
  const run = await gatewayRun();
  gateMs.push(run.ms);
  gateRss.push(run.rss);
  if (!JSON_OUTPUT) {
    console.log(
      `  run ${i + 1}/${RUNS}: bare ${bare.ms.toFixed(0)} ms ${bare.rss?.toFixed(1)} MB, ` +
        `gatehouse ${run.ms.toFixed(0)} ms ${run.rss?.toFixed(1)} MB`,
    );
  }
}

const row = (name, ms, rss) => {
  const time = summarize(ms, 0);
  const memory = summarize(rss, 1);
  return {
    process: name,
    'median ms': time.median,
    'min ms': time.min,
    'max ms': time.max,
    'idle RSS MB (median)': memory.median,
    'RSS min': memory.min,
    'RSS max': memory.max,
  };
};

const rows = [
  row('bare node:http (to listening)', bareMs, bareRss),
  row('gatehouse start (to listening line)', gateMs, gateRss),
];
if (JSON_OUTPUT) {
  const machine = {
    date: new Date().toISOString(),
    node: process.version,
    runs: RUNS,
    idleMs: IDLE_MS,
  };
  console.log(JSON.stringify({ machine, results: rows }, null, 2));
} else {
  console.log(
    `\n${RUNS} runs, RSS read ${IDLE_MS} ms after ready, node ${process.version}, ${process.platform}\n`,
  );
  console.table(rows);
}
