// Load benchmark: the built gateway (echo provider, a paired token, auto-save on) against a bare
// node:http server answering the same JSON, in the same run, so the ratios are what matter.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';

const DURATION_SECS = Number(process.env.BENCH_DURATION_SECS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const root = new URL('..', import.meta.url).pathname;

function startBaseline() {
  const health = JSON.stringify({ status: 'ok', paired: true });
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(health);
      return;
    }
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const { message } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ response: `echo: ${message}`, model: 'echo' }));
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${server.address().port}`, server }),
    );
  });
}

function startGateway(home) {
  const config = join(home, 'config.toml');
  writeFileSync(config, '[gateway]\nport = 0\n\n[observability]\nlog_level = "warn"\n');
  const child = spawn(
    process.execPath,
    [join(root, 'dist/cli/main.js'), 'start', '--config', config],
    {
      env: { ...process.env, GATEHOUSE_HOME: home },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    let url;
    let code;
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      url ??= /gatehouse listening on (http:\/\/\S+)/.exec(line)?.[1];
      code ??= /pairing code\D*(\d{6})/.exec(line)?.[1];
      if (url && code) resolve({ child, url, code });
    });
    child.once('exit', (status) =>
      reject(new Error(`gateway exited with ${status} before it was ready`)),
    );
  });
}

async function pair(url, code) {
  const response = await fetch(`${url}/pair`, {
    method: 'POST',
    headers: { 'x-pairing-code': code },
  });
  if (!response.ok) throw new Error(`pairing failed: ${response.status}`);
  return (await response.json()).token;
}

function load(options) {
  return new Promise((resolve, reject) => {
    autocannon(
      { duration: DURATION_SECS, connections: CONNECTIONS, ...options },
      (error, result) => {
        if (error) reject(error);
        else if (result.non2xx > 0 || result.errors > 0) {
          reject(new Error(`${options.url}: ${result.non2xx} non-2xx and ${result.errors} errors`));
        } else resolve(result);
      },
    );
  });
}

const scenarios = [
  { name: 'GET /health', path: '/health', method: 'GET' },
  {
    name: 'POST /webhook',
    path: '/webhook',
    method: 'POST',
    body: JSON.stringify({ message: 'hello bench' }),
  },
];

const home = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
const baseline = await startBaseline();
const gateway = await startGateway(home);
try {
  const token = await pair(gateway.url, gateway.code);
  const rows = [];
  for (const scenario of scenarios) {
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    const base = await load({
      url: baseline.url + scenario.path,
      method: scenario.method,
      body: scenario.body,
      headers,
    });
    const gate = await load({
      url: gateway.url + scenario.path,
      method: scenario.method,
      body: scenario.body,
      headers,
    });
    rows.push({
      scenario: scenario.name,
      'bare req/s': Math.round(base.requests.average),
      'gatehouse req/s': Math.round(gate.requests.average),
      'req/s ratio': (gate.requests.average / base.requests.average).toFixed(2),
      'bare p99 ms': base.latency.p99,
      'gatehouse p99 ms': gate.latency.p99,
      'p99 ratio': (gate.latency.p99 / Math.max(base.latency.p99, 1)).toFixed(2),
    });
  }
  console.log(
    `\n${CONNECTIONS} connections, ${DURATION_SECS} s per run, node ${process.version}\n`,
  );
  console.table(rows);
} finally {
  gateway.child.kill('SIGTERM');
  baseline.server.close();
  rmSync(home, { recursive: true, force: true });
}
