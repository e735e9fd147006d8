// Idle-session benchmark: how much memory each authenticated, idle WebSocket session holds in the
// gateway, next to a bare `ws` server (bench/baseline-server.mjs) holding the same number of plain
// sessions. Server and client (bench/ws-sessions-client.mjs) run in separate processes; each round
// starts both afresh, bare first, then the gateway.
//
// Per round and side: open and close a few sessions (so code loaded on first use, such as the
// WebSocket library, is not counted as per-session memory), wait, read the server's resident set
// (VmRSS), open N sessions (the gateway's with a paired bearer token on the upgrade), leave them
// idle, read VmRSS again. The figure is the growth divided by N. It counts whatever the sessions
// left for the garbage collector as well, so it errs high, never low. On the gateway the open
// sessions are checked against its `gatehouse_active_sessions` gauge.
//
// Usage: node bench/sessions.mjs [--sessions N] [--rounds N] [--idle SECS] [--json]
//        (Linux: VmRSS comes from /proc; needs a file-descriptor limit above N on both sides)
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startBaseline, startGateway, stopChild } from './processes.mjs';
import { spread } from './stats.mjs';
import { refuseOtherBenchProcesses } from './others.mjs';

const root = new URL('..', import.meta.url).pathname;
function option(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : process.argv[index + 1];
}
const JSON_OUTPUT = process.argv.includes('--json');
const SESSIONS = Number(option('sessions', 10_000));
const ROUNDS = Number(option('rounds', 3));
const IDLE_SECS = Number(option('idle', 5));
const WARM_SESSIONS = 200;
// The goal: 8 KB (8,000 bytes) per session.
const GOAL_BYTES = 8000;
if (!(Number.isInteger(SESSIONS) && SESSIONS >= 100 && Number.isInteger(ROUNDS) && ROUNDS >= 1)) {
  console.error('--sessions (at least 100) and --rounds must be positive whole numbers');
  process.exit(2);
}
if (!(IDLE_SECS >= 0)) {
  console.error('--idle must be a number of seconds');
  process.exit(2);
}
refuseOtherBenchProcesses();

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resident set size of `pid` in bytes, from /proc (whose "kB" are KiB). */
function rssBytes(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kB = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
  if (kB === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kB) * 1024;
}

/** The client process, driven line by line: `open N` → `opened TOTAL`, `close` → `closed`. */
function startClient(wsUrl, token) {
  const child = spawn(
    process.execPath,
    [join(root, 'bench/ws-sessions-client.mjs'), wsUrl, ...(token === undefined ? [] : [token])],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  // Each command is answered by one line; a waiting command takes it, or it waits for it.
  const lines = [];
  const waiting = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    const take = waiting.shift();
    if (take === undefined) lines.push(line);
    else take(line);
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const nextLine = () =>
    lines.length > 0
      ? Promise.resolve(lines.shift())
      : new Promise((resolve) => waiting.push(resolve));
  return {
    async send(command, expected) {
      child.stdin.write(`${command}\n`);
      const line = await Promise.race([nextLine(), exited.then(() => undefined)]);
      if (line === undefined || !expected.test(line)) {
        throw new Error(`session client: ${command} failed (${line ?? 'exited'})\n${stderr}`);
      }
      return line;
    },
    async stop() {
      child.stdin.end();
      await exited;
    },
  };
}

async function activeSessions(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = /^gatehouse_active_sessions(?:\{[^}]*\})? (\S+)$/m.exec(text)?.[1];
  if (value === undefined) throw new Error('gatehouse_active_sessions not in /metrics');
  return Number(value);
}

/** One side of a round: the server's RSS growth per session, in bytes. */
async function measure(server, token) {
  const client = startClient(`${server.url.replace(/^http/, 'ws')}/ws`, token);
  try {
    await client.send(`open ${WARM_SESSIONS}`, /^opened /);
    await client.send('close', /^closed$/);
    await sleep(2000);
    const before = rssBytes(server.child.pid);
    await client.send(`open ${SESSIONS}`, new RegExp(`^opened ${SESSIONS}$`));
    await sleep(IDLE_SECS * 1000);
    const after = rssBytes(server.child.pid);
    if (token !== undefined) {
      const open = await activeSessions(server.url);
      if (open !== SESSIONS) throw new Error(`the gateway counts ${open} open sessions`);
    }
    return { before, after, perSession: (after - before) / SESSIONS };
  } finally {
    await client.stop();
  }
}

async function bareRound() {
  const server = await startBaseline();
  try {
    return await measure(server, undefined);
  } finally {
    await stopChild(server.child);
  }
}

async function gatewayRound() {
  // One client opens every session: the per-client socket cap (64 by default) would refuse most.
  const gateway = await startGateway('', '', SESSIONS + WARM_SESSIONS + 100);
  try {
    return await measure(gateway, gateway.token);
  } finally {
    await gateway.stop();
  }
}

const bare = [];
const gate = [];
for (let round = 1; round <= ROUNDS; round++) {
  bare.push(await bareRound());
  gate.push(await gatewayRound());
  if (!JSON_OUTPUT) {
    const show = (run) =>
      `${Math.round(run.perSession)} bytes/session (RSS ${(run.before / 2 ** 20).toFixed(1)} → ` +
      `${(run.after / 2 ** 20).toFixed(1)} MiB)`;
    console.log(
      `  round ${round}/${ROUNDS}: bare ws ${show(bare.at(-1))}, gatehouse ${show(gate.at(-1))}`,
    );
  }
}

const summary = (runs) => {
  const { median, min, max } = spread(runs.map((run) => run.perSession));
  return {
    median: Math.round(median),
    min: Math.round(min),
    max: Math.round(max),
  };
};
const results = {
  sessions: SESSIONS,
  idleSecs: IDLE_SECS,
  bare: summary(bare),
  gatehouse: summary(gate),
  goalBytes: GOAL_BYTES,
};
if (JSON_OUTPUT) {
  console.log(
    JSON.stringify(
      {
        machine: { date: new Date().toISOString(), node: process.version },
        rounds: ROUNDS,
        results,
      },
      null,
      2,
    ),
  );
} else {
  const line = (name, { median, min, max }) =>
    `  ${name.padEnd(32)} ${median} bytes per session (${min}–${max})`;
  console.log(
    `\n${SESSIONS} idle sessions, RSS growth read ${IDLE_SECS} s after the last opened, ` +
      `medians of ${ROUNDS} rounds, node ${process.version}`,
  );
  console.log(line('bare ws server', results.bare));
  console.log(line('gatehouse (paired bearer)', results.gatehouse));
  console.log(`  goal: gatehouse ≤ ${GOAL_BYTES} bytes (8 KB) per session`);
}
