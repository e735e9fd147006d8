// Load benchmark. The built gateway, a bare node:http (+ ws) baseline, a fake OpenAI-compatible
// LLM and the load generator (wrk, or autocannon's CLI) each run in their own process. Gateway
// and baseline rounds are interleaved (the order flips every round) so a burst of load from
// elsewhere on the machine hits both alike; each scenario reports medians over the rounds and
// the median of the per-round ratios with its min–max.
//
// Usage: node bench/run.mjs [--json] [--rounds N] [--duration SECS] [--connections N] [--only NAME,…]
import { LOAD_TOOL, loadRun } from './load.mjs';
import { startBaseline, startFakeLlm, startGateway, stopChild } from './processes.mjs';
import { spread } from './stats.mjs';
import { httpTurn, openWsSession, timedTurns } from './turns.mjs';
import { cpus } from 'node:os';

function option(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : process.argv[index + 1];
}
const JSON_OUTPUT = process.argv.includes('--json');
const ROUNDS = Number(option('rounds', process.env.BENCH_ROUNDS ?? 5));
const DURATION = Number(option('duration', process.env.BENCH_DURATION_SECS ?? 5));
const CONNECTIONS = Number(option('connections', process.env.BENCH_CONNECTIONS ?? 50));
const ONLY = option('only', undefined)?.split(',');
if (!(ROUNDS >= 1 && DURATION > 0 && CONNECTIONS >= 1)) {
  console.error('--rounds, --duration and --connections must be positive');
  process.exit(2);
}
const log = (line) => (JSON_OUTPUT ? process.stderr : process.stdout).write(`${line}\n`);

const WEBHOOK_BODY = JSON.stringify({ message: 'hello bench' });
// Straight to the fake LLM the model is the upstream's; through /v1 it is the agent's name.
const CHAT_BODY = (stream, model = 'bench-model') =>
  JSON.stringify({
    model,
    stream,
    messages: [{ role: 'user', content: 'hello bench' }],
  });

const load = (target) => () =>
  loadRun(target, { durationSecs: DURATION, connections: CONNECTIONS });

function webhookTarget(url, token) {
  return {
    url: `${url}/webhook`,
    method: 'POST',
    body: WEBHOOK_BODY,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
  };
}

async function wsTurns(url, token) {
  const session = await openWsSession(url.replace(/^http/, 'ws') + '/ws', token);
  try {
    return await timedTurns(session.turn, DURATION);
  } finally {
    session.close();
  }
}

/** Scenarios: `ratio` compares throughput with the bare baseline; `added` subtracts a direct call. */
function scenarios({ baseline, sqlite, none, chat, llm }) {
  const json = { 'content-type': 'application/json' };
  const bearer = (token) => ({ ...json, authorization: `Bearer ${token}` });
  return [
    {
      name: 'health',
      title: 'GET /health',
      kind: 'ratio',
      bare: load({ url: `${baseline.url}/health` }),
      gate: load({ url: `${sqlite.url}/health` }),
    },
    {
      name: 'webhook',
      title: 'POST /webhook, bearer, memory auto-save (sqlite)',
      kind: 'ratio',
      bare: load(webhookTarget(baseline.url, 'unused')),
      gate: load(webhookTarget(sqlite.url, sqlite.token)),
    },
    {
      name: 'webhook-memory-none',
      title: 'POST /webhook, bearer, memory.backend = "none"',
      kind: 'ratio',
      bare: load(webhookTarget(baseline.url, 'unused')),
      gate: load(webhookTarget(none.url, none.token)),
    },
    {
      name: 'ws-turn',
      title: 'WebSocket streamed chat turn (echo), one client',
      kind: 'ratio',
      bare: () => wsTurns(baseline.url, undefined),
      gate: () => wsTurns(sqlite.url, sqlite.token),
    },
    {
      name: 'webhook-llm-turn',
      title: 'POST /webhook turn against the fake LLM: gateway-added latency',
      kind: 'added',
      bare: () =>
        timedTurns(
          httpTurn(`${llm.url}/chat/completions`, { headers: json, body: CHAT_BODY(false) }),
          DURATION,
        ),
      gate: () =>
        timedTurns(
          httpTurn(`${chat.url}/webhook`, { headers: bearer(chat.token), body: WEBHOOK_BODY }),
          DURATION,
        ),
    },
    {
      name: 'openai-stream',
      title: 'POST /v1/chat/completions (stream) against the fake LLM: gateway-added latency',
      kind: 'added',
      available: async () => {
        const response = await fetch(`${chat.url}/v1/models`, { headers: bearer(chat.token) });
        await response.arrayBuffer();
        return response.ok;
      },
      bare: () =>
        timedTurns(
          httpTurn(`${llm.url}/chat/completions`, { headers: json, body: CHAT_BODY(true) }),
          DURATION,
        ),
      gate: () =>
        timedTurns(
          httpTurn(`${chat.url}/v1/chat/completions`, {
            headers: bearer(chat.token),
            body: CHAT_BODY(true, 'default'),
          }),
          DURATION,
        ),
    },
  ].filter((scenario) => ONLY === undefined || ONLY.includes(scenario.name));
}

async function measure(scenario) {
  if (scenario.available !== undefined && !(await scenario.available())) {
    log(`${scenario.title}: not available on this build`);
    return { name: scenario.name, title: scenario.title, available: false };
  }
  const bare = [];
  const gate = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Flip the order every round so neither side always runs on a machine warmed by the other.
    if (round % 2 === 0) {
      bare.push(await scenario.bare());
      gate.push(await scenario.gate());
    } else {
      gate.push(await scenario.gate());
      bare.push(await scenario.bare());
    }
    const b = bare.at(-1);
    const g = gate.at(-1);
    log(
      `  ${scenario.name} round ${round + 1}/${ROUNDS}: bare ${b.rps.toFixed(0)}/s p50 ${b.p50.toFixed(3)} ms, ` +
        `gatehouse ${g.rps.toFixed(0)}/s p50 ${g.p50.toFixed(3)} ms`,
    );
  }
  const side = (runs) => ({
    rps: spread(runs.map((run) => run.rps)).median,
    p50: spread(runs.map((run) => run.p50)).median,
    p99: spread(runs.map((run) => run.p99)).median,
  });
  const result = {
    name: scenario.name,
    title: scenario.title,
    available: true,
    kind: scenario.kind,
  };
  result.bare = side(bare);
  result.gatehouse = side(gate);
  if (scenario.kind === 'ratio') {
    result.ratio = spread(gate.map((g, i) => g.rps / bare[i].rps));
  } else {
    result.addedP50Ms = spread(gate.map((g, i) => g.p50 - bare[i].p50));
  }
  return result;
}

const fmt = (value, digits = 0) =>
  Number.isFinite(value) ? value.toLocaleString('en-US', { maximumFractionDigits: digits }) : 'n/a';

function printTable(results) {
  const rows = results.map((r) => {
    if (!r.available) return { scenario: r.title, result: 'not available on this build' };
    const common = {
      scenario: r.title,
      'bare /s': fmt(r.bare.rps),
      'gatehouse /s': fmt(r.gatehouse.rps),
      'bare p50/p99 ms': `${fmt(r.bare.p50, 2)} / ${fmt(r.bare.p99, 2)}`,
      'gatehouse p50/p99 ms': `${fmt(r.gatehouse.p50, 2)} / ${fmt(r.gatehouse.p99, 2)}`,
    };
    const result =
      r.kind === 'ratio'
        ? `${fmt(r.ratio.median, 2)}× (${fmt(r.ratio.min, 2)}–${fmt(r.ratio.max, 2)})`
        : `+${fmt(r.addedP50Ms.median, 3)} ms p50 (${fmt(r.addedP50Ms.min, 3)}–${fmt(r.addedP50Ms.max, 3)})`;
    return { ...common, result };
  });
  console.table(rows);
}

const machine = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  cpu: cpus()[0]?.model,
  loadTool: LOAD_TOOL,
  rounds: ROUNDS,
  durationSecs: DURATION,
  connections: CONNECTIONS,
};
log(
  `gatehouse bench: ${ROUNDS} interleaved rounds × ${DURATION} s, ${CONNECTIONS} connections, ` +
    `load by ${LOAD_TOOL}, node ${process.version}, ${machine.cpus} × ${machine.cpu}`,
);

const started = [];
try {
  const llm = await startFakeLlm();
  started.push(() => stopChild(llm.child));
  const baseline = await startBaseline();
  started.push(() => stopChild(baseline.child));
  const sqlite = await startGateway();
  started.push(() => sqlite.stop());
  const none = await startGateway('\n[memory]\nbackend = "none"\n');
  started.push(() => none.stop());
  const chat = await startGateway(
    `\n[providers.openai]\nbase_url = "${llm.url}"\napi_key = "sk-bench-not-a-real-key"\n`,
    'default_provider = "openai"\ndefault_model = "bench-model"\n',
  );
  started.push(() => chat.stop());
  const results = [];
  for (const scenario of scenarios({ baseline, sqlite, none, chat, llm })) {
    results.push(await measure(scenario));
  }
  if (JSON_OUTPUT) console.log(JSON.stringify({ machine, results }, null, 2));
  else printTable(results);
} finally {
  for (const stop of started.reverse()) await stop();
}
