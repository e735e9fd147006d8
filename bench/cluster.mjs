// Cluster benchmark: POST /webhook throughput of 1 and 3 gateway instances sharing Redis state
// (plus one embedded instance for reference), and how exactly a shared per-client limit holds
// when one client's requests are spread over 3 instances. Needs the Redis at
// GATEHOUSE_BENCH_REDIS_URL (default redis://127.0.0.1:6379); writes under its own key prefix
// and deletes it afterwards.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { createClient } from 'redis';
import { refuseOtherBenchProcesses } from './others.mjs';

const DURATION_SECS = Number(process.env.BENCH_DURATION_SECS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 48);
refuseOtherBenchProcesses();
const REDIS_URL = process.env.GATEHOUSE_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const LIMIT = 300;
const JWT_SECRET = randomBytes(32).toString('hex');
const root = new URL('..', import.meta.url).pathname;
const prefix = `gatehouse-bench:${process.pid}:${randomBytes(4).toString('hex')}:`;
const homes = [];
const children = [];

function startGateway(index, { redis, limit }) {
  const home = mkdtempSync(join(tmpdir(), 'gatehouse-bench-cluster-'));
  homes.push(home);
  const config = join(home, 'config.toml');
  // One load generator is one client: lift the per-client caps so they do not answer with 429.
  const lines = [
    '[gateway]',
    'port = 0',
    `instance_id = "bench-${index}"`,
    'max_connections_per_client = 1024',
    'max_requests_per_client = 1024',
  ];
  if (limit !== undefined) {
    lines.push('trust_forwarded_headers = true', `webhook_rate_limit_per_minute = ${limit}`);
  }
  lines.push('[observability]', 'log_level = "warn"', '[memory]', 'backend = "none"');
  if (redis)
    lines.push('[state]', 'backend = "redis"', `url = "${REDIS_URL}"`, `key_prefix = "${prefix}"`);
  writeFileSync(config, `${lines.join('\n')}\n`);
  const child = spawn(
    process.execPath,
    [join(root, 'dist/gatehouse.cjs'), 'start', '--config', config],
    {
      env: { ...process.env, GATEHOUSE_HOME: home, GATEHOUSE_JWT_SECRET: JWT_SECRET },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  children.push(child);
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

async function startInstances(count, options) {
  const started = [];
  // One after the other: the first decides the shared pairing code.
  for (let i = 1; i <= count; i += 1) started.push(await startGateway(i, options));
  return started;
}

function stopInstances(instances) {
  for (const instance of instances) instance.child.kill('SIGTERM');
  return Promise.all(instances.map((i) => new Promise((resolve) => i.child.once('exit', resolve))));
}

async function pair(url, code) {
  const response = await fetch(`${url}/pair`, {
    method: 'POST',
    headers: { 'x-pairing-code': code },
  });
  if (!response.ok) throw new Error(`pairing failed: ${response.status}`);
  return (await response.json()).token;
}

function load(url, token, connections) {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: `${url}/webhook`,
        method: 'POST',
        duration: DURATION_SECS,
        connections,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ message: 'hello bench' }),
      },
      (error, result) => {
        if (error) reject(error);
        else if (result.non2xx > 0 || result.errors > 0) {
          reject(new Error(`${url}: ${result.non2xx} non-2xx and ${result.errors} errors`));
        } else resolve(result);
      },
    );
  });
}

/** The same total connections, split evenly over the instances (a round-robin balancer's job). */
async function throughput(label, instances) {
  const token = await pair(instances[0].url, instances[0].code);
  const per = Math.max(1, Math.floor(CONNECTIONS / instances.length));
  const results = await Promise.all(instances.map((i) => load(i.url, token, per)));
  const total = results.reduce((sum, r) => sum + r.requests.average, 0);
  const p99 = Math.max(...results.map((r) => r.latency.p99));
  return { setup: label, instances: instances.length, 'req/s': Math.round(total), 'p99 ms': p99 };
}

/** One client (one X-Forwarded-For) fires 3 × LIMIT requests spread over the instances at once. */
async function limitAccuracy(instances) {
  const token = await pair(instances[0].url, instances[0].code);
  const attempts = LIMIT * 3;
  const statuses = [];
  let next = 0;
  // A few requests in flight per instance: the gateway caps unfinished connections per peer.
  const worker = async () => {
    while (next < attempts) {
      const n = next++;
      const response = await fetch(`${instances[n % instances.length].url}/webhook`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${token}`,
          'x-forwarded-for': '198.51.100.7',
        },
        body: JSON.stringify({ message: 'limited' }),
      });
      await response.arrayBuffer();
      statuses.push(response.status);
    }
  };
  await Promise.all(Array.from({ length: 8 * instances.length }, worker));
  const accepted = statuses.filter((s) => s === 200).length;
  return {
    instances: instances.length,
    'allowed/min': LIMIT,
    attempts,
    accepted,
    'over limit': accepted - LIMIT,
  };
}

async function deletePrefix() {
  const client = createClient({ url: REDIS_URL });
  await client.connect();
  const keys = [];
  for await (const batch of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 }))
    keys.push(...batch);
  if (keys.length > 0) await client.unlink(keys);
  await client.close();
}

try {
  const rows = [];
  let instances = await startInstances(1, { redis: false });
  rows.push(await throughput('embedded state', instances));
  await stopInstances(instances);
  instances = await startInstances(1, { redis: true });
  rows.push(await throughput('redis state', instances));
  await stopInstances(instances);
  await deletePrefix();
  instances = await startInstances(3, { redis: true });
  rows.push(await throughput('redis state', instances));
  await stopInstances(instances);
  await deletePrefix();
  instances = await startInstances(3, { redis: true, limit: LIMIT });
  const accuracy = await limitAccuracy(instances);
  await stopInstances(instances);

  console.log(
    `\nPOST /webhook, ${CONNECTIONS} connections in total, ${DURATION_SECS} s per run, node ${process.version}\n`,
  );
  console.table(rows);
  console.log('\nShared per-client limit, one client spread over the instances\n');
  console.table([accuracy]);
} finally {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  await deletePrefix().catch(() => undefined);
  for (const home of homes) rmSync(home, { recursive: true, force: true });
}
