// Instructions per request, counted by valgrind's callgrind: repeatable to about 0.5 % on a
// shared VM where timings drift by tens of percent, so it shows changes of a few percent that
// the load benchmark cannot. With the SQLite memory and many requests in flight it varies more
// (about 4 % at 50): how many rows a group commit takes depends on timing, so compare several
// runs there. It counts user-space instructions of the server process's main thread, where
// requests are served (no kernel time, no waiting; the process's other threads are counted and
// printed beside it), so it complements `npm run bench` and does not replace it.
//
// Each server (the built gateway, and the bare baseline) runs alone under callgrind, with
// V8's own helper threads off (`--single-threaded`); a client in this process sends WARM
// requests, then the counters are zeroed, N more are sent (10 at a time on keep-alive sockets, or
// --concurrency N) and the counters dumped. Scenarios:
// `webhook` (POST /webhook, `memory.backend = "none"`, the default), `webhook-auto-save` (the same
// with the SQLite memory) and `health` (GET /health).
//
// Usage: node bench/instructions.mjs [--warm N] [--requests N] [--concurrency N] [--only NAME,…]
//        (needs valgrind: apt-get install valgrind)
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const root = new URL('..', import.meta.url).pathname;
function option(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : process.argv[index + 1];
}
// Under about 10,000 warm-up requests V8 is still compiling the request path and the count
// includes the optimizing compiler's work.
const WARM = Number(option('warm', 12_000));
const REQUESTS = Number(option('requests', 3_000));
const SCENARIOS = {
  webhook: { method: 'POST', path: '/webhook', memory: 'none' },
  'webhook-auto-save': { method: 'POST', path: '/webhook', memory: 'sqlite' },
  health: { method: 'GET', path: '/health', memory: 'none' },
};
// Requests in flight at once. The load benchmark keeps 50 (wrk's connections): with as many, the
// memory's group commits take as many stores at once as they do there.
const CONCURRENCY = Number(option('concurrency', 10));
const ONLY = String(option('only', 'webhook')).split(',');
const unknown = ONLY.filter((name) => !(name in SCENARIOS));
if (unknown.length > 0 || !(WARM >= 0 && REQUESTS >= 1 && CONCURRENCY >= 1)) {
  console.error(
    `usage: --warm N --requests N --concurrency N --only ${Object.keys(SCENARIOS).join(',')}` +
      (unknown.length > 0 ? ` (unknown: ${unknown.join(', ')})` : ''),
  );
  process.exit(2);
}
const BODY = JSON.stringify({ message: 'hello bench' });

try {
  execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
} catch {
  console.error('valgrind is needed: apt-get install valgrind');
  process.exit(2);
}

/** Starts `args` under callgrind; resolves with the child and every wanted stdout match. */
function underCallgrind(args, env, outFile, wanted) {
  const child = spawn(
    'valgrind',
    [
      '--tool=callgrind',
      `--callgrind-out-file=${outFile}`,
      // V8 rewrites its own code; every change to code not backed by a file is noticed.
      '--smc-check=all-non-file',
      // One file per thread: the main thread's count is the figure, the SQLite memory's checkpoint
      // thread runs by the clock (slower under valgrind, so more often per request) and is
      // reported beside it.
      '--separate-threads=yes',
      process.execPath,
      '--single-threaded',
      ...args,
    ],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    const found = {};
    child.once('exit', (status) => reject(new Error(`exited with ${status}\n${stderr}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      for (const [name, regex] of Object.entries(wanted)) {
        const match = regex.exec(line);
        if (match) found[name] = match[1];
      }
      if (Object.keys(found).length === Object.keys(wanted).length) resolve({ child, ...found });
    });
  });
}

function send(agent, method, url, headers) {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method, agent, headers }, (response) => {
      response.resume();
      response.on('end', () =>
        response.statusCode === 200
          ? resolve()
          : reject(new Error(`${url}: ${response.statusCode}`)),
      );
    });
    request.on('error', reject);
    request.end(method === 'POST' ? BODY : undefined);
  });
}

async function requests(agent, count, method, url, headers) {
  let left = count;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (left-- > 0) await send(agent, method, url, headers);
    }),
  );
}

/** Instructions per request of one server: warm up, zero, measure, dump. */
async function measure(name, scenario, start) {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-callgrind-'));
  const outFile = join(dir, 'callgrind.out');
  const server = await start(scenario, dir, outFile);
  const { method } = scenario;
  try {
    const headers =
      method === 'POST'
        ? {
            'content-type': 'application/json',
            'content-length': String(Buffer.byteLength(BODY)),
            ...server.headers,
          }
        : server.headers;
    // The same sockets for warm-up and measurement: no connection set-up is counted.
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    await requests(agent, WARM, method, server.url, headers);
    execFileSync('callgrind_control', ['--zero', String(server.child.pid)], { stdio: 'ignore' });
    await requests(agent, REQUESTS, method, server.url, headers);
    execFileSync('callgrind_control', ['--dump', String(server.child.pid)], { stdio: 'ignore' });
    agent.destroy();
    // The dump made on request (a part number, then a thread number), not the final one at exit.
    const dumps = readdirSync(dir)
      .filter((file) => /^callgrind\.out\.\d+-\d+$/.test(file))
      .sort((a, b) => Number(a.split('-').pop()) - Number(b.split('-').pop()));
    if (dumps.length === 0) throw new Error(`${name}: no callgrind dump found in ${dir}`);
    const counts = dumps.map((dump) => {
      const totals = /^(?:summary|totals): (\d+)/m.exec(readFileSync(join(dir, dump), 'utf8'));
      return totals ? Number(totals[1]) / REQUESTS : 0;
    });
    const [main = 0, ...others] = counts;
    return { main, others: others.reduce((sum, count) => sum + count, 0) };
  } finally {
    server.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

async function gateway(scenario, dir, outFile) {
  const config = join(dir, 'config.toml');
  writeFileSync(
    config,
    '[gateway]\nport = 0\nmax_connections_per_client = 1024\nmax_requests_per_client = 1024\n' +
      'request_timeout_secs = 300\n\n[observability]\nlog_level = "warn"\n\n' +
      `[memory]\nbackend = "${scenario.memory}"\n`,
  );
  const started = await underCallgrind(
    [join(root, 'dist/gatehouse.cjs'), 'start', '--config', config],
    { ...process.env, GATEHOUSE_HOME: dir },
    outFile,
    { url: /^gatehouse listening on (http:\/\/\S+)/, code: /pairing code\D*(\d{6})/ },
  );
  const paired = await fetch(`${started.url}/pair`, {
    method: 'POST',
    headers: { 'x-pairing-code': started.code },
  });
  if (!paired.ok) throw new Error(`pairing failed: ${paired.status}`);
  const { token } = await paired.json();
  return {
    child: started.child,
    url: `${started.url}${scenario.path}`,
    headers: { authorization: `Bearer ${token}` },
  };
}

async function baseline(scenario, _dir, outFile) {
  const started = await underCallgrind(
    [join(root, 'bench/baseline-server.mjs')],
    process.env,
    outFile,
    { url: /^baseline listening on (\S+)/ },
  );
  return { child: started.child, url: `${started.url}${scenario.path}`, headers: {} };
}

const k = (count) => `${(count / 1000).toFixed(1)} k`;
const withOthers = (count) => (count.others >= 100 ? `, other threads ${k(count.others)}` : '');
const bareByRequest = new Map();
for (const name of ONLY) {
  const scenario = SCENARIOS[name];
  // The baseline answers both methods the same whatever the gateway's memory: measured once each.
  const request = `${scenario.method} ${scenario.path}`;
  if (!bareByRequest.has(request)) {
    bareByRequest.set(request, await measure('bare node:http', scenario, baseline));
  }
  const bare = bareByRequest.get(request);
  const gate = await measure('gatehouse', scenario, gateway);
  console.log(
    `${request}, memory.backend = "${scenario.memory}", ${WARM} warm-up + ${REQUESTS} measured requests, ${CONCURRENCY} at a time`,
  );
  console.log(`  bare node:http  ${k(bare.main)} instructions per request${withOthers(bare)}`);
  console.log(
    `  gatehouse       ${k(gate.main)} instructions per request on the main thread ` +
      `(${(gate.main / bare.main).toFixed(2)}× bare)${withOthers(gate)}`,
  );
}
