// Instructions per request, counted by valgrind's callgrind: repeatable to about 0.5 % on a
// shared VM where timings drift by tens of percent, so it shows changes of a few percent that
// the load benchmark cannot. It counts user-space instructions of the server process only
// (no kernel time, no waiting), so it complements `npm run bench` and does not replace it.
//
// Each server (the built gateway with `memory.backend = "none"`, and the bare baseline) runs
// alone under callgrind, single-threaded; a client in this process sends WARM requests, then the
// counters are zeroed, N more are sent (10 at a time on keep-alive sockets) and the counters
// dumped.
//
// Usage: node bench/instructions.mjs [--warm N] [--requests N]   (needs valgrind: apt-get install valgrind)
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const root = new URL('..', import.meta.url).pathname;
function option(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return Number(index === -1 ? fallback : process.argv[index + 1]);
}
// Under about 10,000 warm-up requests V8 is still compiling the request path and the count
// includes the optimizing compiler's work.
const WARM = option('warm', 12_000);
const REQUESTS = option('requests', 3_000);
const CONCURRENCY = 10;
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

function send(agent, url, headers) {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', agent, headers }, (response) => {
      response.resume();
      response.on('end', () =>
        response.statusCode === 200
          ? resolve()
          : reject(new Error(`${url}: ${response.statusCode}`)),
      );
    });
    request.on('error', reject);
    request.end(BODY);
  });
}

async function requests(agent, count, url, headers) {
  let left = count;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (left-- > 0) await send(agent, url, headers);
    }),
  );
}

/** Instructions per request of one server: warm up, zero, measure, dump. */
async function measure(name, start) {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-callgrind-'));
  const outFile = join(dir, 'callgrind.out');
  const server = await start(dir, outFile);
  try {
    const headers = {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(BODY)),
      ...server.headers,
    };
    // The same sockets for warm-up and measurement: no connection set-up is counted.
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    await requests(agent, WARM, server.url, headers);
    execFileSync('callgrind_control', ['--zero', String(server.child.pid)], { stdio: 'ignore' });
    await requests(agent, REQUESTS, server.url, headers);
    execFileSync('callgrind_control', ['--dump', String(server.child.pid)], { stdio: 'ignore' });
    agent.destroy();
    // The dump made on request (the file with a part number), not the final one at exit.
    const dump = readdirSync(dir).find((file) => /^callgrind\.out\.\d+$/.test(file));
    const totals =
      dump && /^(?:summary|totals): (\d+)/m.exec(readFileSync(join(dir, dump), 'utf8'));
    if (!totals) throw new Error(`${name}: no callgrind dump found in ${dir}`);
    return Number(totals[1]) / REQUESTS;
  } finally {
    server.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

async function gateway(dir, outFile) {
  const config = join(dir, 'config.toml');
  writeFileSync(
    config,
    '[gateway]\nport = 0\nmax_connections_per_client = 1024\nmax_requests_per_client = 1024\n' +
      'request_timeout_secs = 300\n\n[observability]\nlog_level = "warn"\n\n[memory]\nbackend = "none"\n',
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
    url: `${started.url}/webhook`,
    headers: { authorization: `Bearer ${token}` },
  };
}

async function baseline(_dir, outFile) {
  const started = await underCallgrind(
    [join(root, 'bench/baseline-server.mjs')],
    process.env,
    outFile,
    { url: /^baseline listening on (\S+)/ },
  );
  return { child: started.child, url: `${started.url}/webhook`, headers: {} };
}

const bare = await measure('bare node:http', baseline);
const gate = await measure('gatehouse', gateway);
const k = (count) => `${(count / 1000).toFixed(1)} k`;
console.log(
  `POST /webhook, memory.backend = "none", ${WARM} warm-up + ${REQUESTS} measured requests`,
);
console.log(`bare node:http  ${k(bare)} instructions per request`);
console.log(
  `gatehouse       ${k(gate)} instructions per request (${(gate / bare).toFixed(2)}× bare)`,
);
