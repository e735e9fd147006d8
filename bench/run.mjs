// Load benchmark. The built gateway, a bare node:http (+ ws) baseline, a fake OpenAI-compatible
// LLM and the load generator (wrk, or autocannon's CLI) each run in their own process. Every round
// starts its processes afresh and warms both sides with the same load first, so the rounds sample
// how one process differs from the next instead of repeating one draw. Each scenario reports
// medians over the rounds and the median of the per-round ratios with its min–max.
//
// Within a round the measured time is cut into slices (1 s by default) run in the order
// bare, gate, gate, bare, bare, gate, …: on a shared VM the host's speed changes within seconds
// (the same bare server: 25k req/s for a few runs, then 41–45k), and one 5 s run per side could
// land in different states. The slices of a side are merged: requests/s is their mean, p50 and
// p99 the median of theirs.
//
// Usage: node bench/run.mjs [--json] [--rounds N] [--duration SECS] [--slice SECS]
//                           [--warmup SECS] [--turn-warmup SECS] [--turn-warmup-turns N]
//                           [--connections N] [--only NAME,…]
import { LOAD_CPU } from './cpus.mjs';
import { LOAD_TOOL, loadRun } from './load.mjs';
import {
  startBaseline,
  startFakeLlm,
  startGateway,
  startPassThroughProxy,
  stopChild,
} from './processes.mjs';
import { median, spread } from './stats.mjs';
import { httpTurn, openWsSession, timedTurns } from './turns.mjs';
import { cpus } from 'node:os';
import { refuseOtherBenchProcesses } from './others.mjs';

function option(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : process.argv[index + 1];
}
const JSON_OUTPUT = process.argv.includes('--json');
const ROUNDS = Number(option('rounds', process.env.BENCH_ROUNDS ?? 5));
const DURATION = Number(option('duration', process.env.BENCH_DURATION_SECS ?? 5));
const SLICE = Number(option('slice', process.env.BENCH_SLICE_SECS ?? 1));
// Warm-up of each side in each round, discarded. Sequential chat turns take longer to reach a
// steady state than a load of thousands of requests per second. V8 optimizes a function after it
// has run enough, so what a fresh process needs is a number of turns, not of seconds: through the
// gateway a turn's latency settles after 5,000–6,000 turns (about 12 s on a slow VM answering
// 500–1,000 turns a second; docs/benchmarks.md, "Warm-up of chat turns"). Chat-turn warm-up lasts
// both so long and so many turns.
const WARMUP = Number(option('warmup', process.env.BENCH_WARMUP_SECS ?? 2));
const TURN_WARMUP = Number(option('turn-warmup', process.env.BENCH_TURN_WARMUP_SECS ?? 5));
const TURN_WARMUP_TURNS = Number(
  option('turn-warmup-turns', process.env.BENCH_TURN_WARMUP_TURNS ?? 10_000),
);
const CONNECTIONS = Number(option('connections', process.env.BENCH_CONNECTIONS ?? 50));
const ONLY = option('only', undefined)?.split(',');
// Whole seconds: wrk reads its duration as an integer.
if (
  !(
    ROUNDS >= 1 &&
    DURATION >= 1 &&
    SLICE >= 1 &&
    WARMUP >= 0 &&
    TURN_WARMUP >= 0 &&
    TURN_WARMUP_TURNS >= 0 &&
    CONNECTIONS >= 1
  ) ||
  ![ROUNDS, DURATION, SLICE, WARMUP, TURN_WARMUP, TURN_WARMUP_TURNS, CONNECTIONS].every(
    Number.isInteger,
  ) ||
  DURATION % SLICE !== 0
) {
  console.error(
    '--rounds, --duration, --slice (seconds) and --connections must be positive whole numbers, ' +
      '--duration a multiple of --slice, --warmup, --turn-warmup (seconds) and --turn-warmup-turns ' +
      'whole numbers',
  );
  process.exit(2);
}
refuseOtherBenchProcesses();
const log = (line) => (JSON_OUTPUT ? process.stderr : process.stdout).write(`${line}\n`);

const WEBHOOK_BODY = JSON.stringify({ message: 'hello bench' });
// Straight to the fake LLM the model is the upstream's; through /v1 it is the agent's name.
const CHAT_BODY = (stream, model = 'bench-model') =>
  JSON.stringify({
    model,
    stream,
    messages: [{ role: 'user', content: 'hello bench' }],
  });

// What the gateway sends the provider in the conversation scenario once the conversation is
// longer than the history window (20 messages by default): the system prompt, ten exchanges
// and the new message.
const CONVERSATION_TURN_BODY = JSON.stringify({
  model: 'bench-model',
  messages: [
    { role: 'system', content: 'You are a helpful assistant.' },
    ...Array.from({ length: 10 }, () => [
      { role: 'user', content: 'hello bench' },
      { role: 'assistant', content: 'Hello from the fake model.' },
    ]).flat(),
    { role: 'user', content: 'hello bench' },
  ],
  temperature: 0.7,
  max_tokens: 1024,
  stream: false,
});

const load = (target, durationSecs) => loadRun(target, { durationSecs, connections: CONNECTIONS });

function webhookTarget(url, token) {
  return {
    url: `${url}/webhook`,
    method: 'POST',
    body: WEBHOOK_BODY,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
  };
}

async function wsTurns(url, token, durationSecs) {
  const session = await openWsSession(url.replace(/^http/, 'ws') + '/ws', token);
  try {
    return await timedTurns(session.turn, durationSecs);
  } finally {
    await session.close();
  }
}

/** A plain child process (not a gateway, which stops itself) with a `stop()`. */
const stoppable = (start) => async () => {
  const started = await start();
  return { ...started, stop: () => stopChild(started.child) };
};
/**
 * The processes a round can start. `chat` is the gateway with the `openai` provider pointed at
 * the round's fake LLM, and `proxy` forwards to it, so `llm` must be started before either.
 */
const SERVERS = {
  baseline: stoppable(startBaseline),
  llm: stoppable(startFakeLlm),
  proxy: ({ llm }) => stoppable(() => startPassThroughProxy(llm.url))(),
  sqlite: () => startGateway(),
  none: () => startGateway('\n[memory]\nbackend = "none"\n'),
  chat: ({ llm }) =>
    startGateway(
      `\n[providers.openai]\nbase_url = "${llm.url}"\napi_key = "sk-bench-not-a-real-key"\n`,
      'default_provider = "openai"\ndefault_model = "bench-model"\n',
    ),
};

/**
 * Scenarios: `ratio` compares throughput with the bare baseline; `added` subtracts a direct call.
 * `servers` are started for every round, in that order; `bare` and `gate` run the load for a
 * given number of seconds against them, after `warmupSecs` (default WARMUP) of the same.
 */
function scenarios() {
  const json = { 'content-type': 'application/json' };
  const bearer = (token) => ({ ...json, authorization: `Bearer ${token}` });
  /** `secs` of sequential POSTs of `body` to `url`, each read to its end. */
  const turns = (url, headers, body, secs) => timedTurns(httpTurn(url, { headers, body }), secs);
  /** The chat call made straight to the fake LLM: the "bare" side of the added-latency scenarios. */
  const directCall =
    (stream) =>
    ({ llm }, secs) =>
      turns(`${llm.url}/chat/completions`, json, CHAT_BODY(stream), secs);
  return [
    {
      name: 'health',
      title: 'GET /health',
      kind: 'ratio',
      servers: ['baseline', 'sqlite'],
      bare: ({ baseline }, secs) => load({ url: `${baseline.url}/health` }, secs),
      gate: ({ sqlite }, secs) => load({ url: `${sqlite.url}/health` }, secs),
    },
    {
      name: 'webhook',
      title: 'POST /webhook, bearer, memory auto-save (sqlite)',
      kind: 'ratio',
      servers: ['baseline', 'sqlite'],
      bare: ({ baseline }, secs) => load(webhookTarget(baseline.url, 'unused'), secs),
      gate: ({ sqlite }, secs) => load(webhookTarget(sqlite.url, sqlite.token), secs),
    },
    {
      name: 'webhook-memory-none',
      title: 'POST /webhook, bearer, memory.backend = "none"',
      kind: 'ratio',
      servers: ['baseline', 'none'],
      bare: ({ baseline }, secs) => load(webhookTarget(baseline.url, 'unused'), secs),
      gate: ({ none }, secs) => load(webhookTarget(none.url, none.token), secs),
    },
    {
      name: 'ws-turn',
      title: 'WebSocket streamed chat turn (echo), one client',
      kind: 'ratio',
      servers: ['baseline', 'sqlite'],
      warmupSecs: TURN_WARMUP,
      warmupTurns: TURN_WARMUP_TURNS,
      bare: ({ baseline }, secs) => wsTurns(baseline.url, undefined, secs),
      gate: ({ sqlite }, secs) => wsTurns(sqlite.url, sqlite.token, secs),
    },
    {
      name: 'webhook-llm-turn',
      title: 'POST /webhook turn against the fake LLM: gateway-added latency',
      kind: 'added',
      servers: ['llm', 'chat'],
      warmupSecs: TURN_WARMUP,
      warmupTurns: TURN_WARMUP_TURNS,
      bare: directCall(false),
      gate: ({ chat }, secs) =>
        turns(`${chat.url}/webhook`, bearer(chat.token), WEBHOOK_BODY, secs),
    },
    {
      name: 'webhook-conversation-turn',
      title:
        'POST /webhook turn in a conversation (20 messages of history) against the fake LLM: gateway-added latency',
      kind: 'added',
      servers: ['llm', 'chat'],
      warmupSecs: TURN_WARMUP,
      warmupTurns: TURN_WARMUP_TURNS,
      bare: ({ llm }, secs) =>
        turns(`${llm.url}/chat/completions`, json, CONVERSATION_TURN_BODY, secs),
      gate: ({ chat }, secs) =>
        turns(
          `${chat.url}/webhook`,
          { ...bearer(chat.token), 'x-session-id': 'bench-conversation' },
          WEBHOOK_BODY,
          secs,
        ),
    },
    {
      name: 'openai-stream',
      title: 'POST /v1/chat/completions (stream) against the fake LLM: gateway-added latency',
      kind: 'added',
      servers: ['llm', 'chat'],
      warmupSecs: TURN_WARMUP,
      warmupTurns: TURN_WARMUP_TURNS,
      available: async ({ chat }) => {
        const response = await fetch(`${chat.url}/v1/models`, { headers: bearer(chat.token) });
        await response.arrayBuffer();
        return response.ok;
      },
      bare: directCall(true),
      gate: ({ chat }, secs) =>
        turns(
          `${chat.url}/v1/chat/completions`,
          bearer(chat.token),
          CHAT_BODY(true, 'default'),
          secs,
        ),
    },
    {
      // A reference for the latency goal: what a Node.js hop that does nothing adds.
      name: 'proxy-floor',
      title:
        'Reference, not gatehouse: a bare node:http pass-through proxy (stream), added latency',
      kind: 'added',
      servers: ['llm', 'proxy'],
      warmupSecs: TURN_WARMUP,
      warmupTurns: TURN_WARMUP_TURNS,
      bare: directCall(true),
      gate: ({ proxy }, secs) =>
        turns(`${proxy.url}/chat/completions`, json, CHAT_BODY(true), secs),
    },
  ].filter((scenario) => ONLY === undefined || ONLY.includes(scenario.name));
}

/** Servers that need another started first (they are pointed at the fake LLM). */
const NEEDS = { chat: 'llm', proxy: 'llm' };

/**
 * Starts a round's processes; stops those already started if one fails. Odd rounds start them in
 * the reverse order where no server needs another, so neither side is always the one started
 * second.
 */
async function startRound(scenario, round) {
  const flip = round % 2 === 1 && scenario.servers.every((name) => NEEDS[name] === undefined);
  const order = flip ? [...scenario.servers].reverse() : scenario.servers;
  const servers = {};
  const started = [];
  const stop = async () => {
    for (const server of started.reverse()) await server.stop();
  };
  try {
    for (const name of order) {
      servers[name] = await SERVERS[name](servers);
      started.push(servers[name]);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { servers, stop };
}

/**
 * The order of a round's slices: pairs that alternate (bare gate, gate bare, …), so both sides
 * sample the same moments; odd rounds start with the gateway.
 */
function sliceOrder(pairs, round) {
  const order = [];
  for (let pair = 0; pair < pairs; pair++) {
    order.push(...((pair + round) % 2 === 0 ? ['bare', 'gate'] : ['gate', 'bare']));
  }
  return order;
}

/** One side's slices as one run: mean requests/s (equal durations), median p50 and p99. */
function merged(runs) {
  return {
    rps: runs.reduce((sum, run) => sum + run.rps, 0) / runs.length,
    p50: median(runs.map((run) => run.p50)),
    p99: median(runs.map((run) => run.p99)),
  };
}

/**
 * Runs one side for `secs` or, with `turns`, in 1 s pieces until both `secs` have passed and
 * `turns` turns were made. Returns the first second's figures (those of a fresh process), if any.
 */
async function warmUp(run, servers, secs, turns) {
  if (turns === 0) {
    if (secs > 0) await run(servers, secs);
    return undefined;
  }
  const started = performance.now();
  let made = 0;
  let first;
  while (made < turns || performance.now() - started < secs * 1000) {
    const piece = await run(servers, 1);
    first ??= piece;
    // A 1 s piece: its turns per second are its turns.
    made += piece.rps;
  }
  return first;
}

async function measure(scenario) {
  const bare = [];
  const gate = [];
  // Chat turns only: the first second of each side's warm-up, when its processes were fresh.
  const firstSeconds = { bare: [], gate: [] };
  for (let round = 0; round < ROUNDS; round++) {
    const { servers, stop } = await startRound(scenario, round);
    try {
      if (round === 0 && scenario.available !== undefined && !(await scenario.available(servers))) {
        log(`${scenario.title}: not available on this build`);
        return { name: scenario.name, title: scenario.title, available: false };
      }
      // Fresh processes: both sides get the same warm-up before anything is measured.
      const warmup = scenario.warmupSecs ?? WARMUP;
      const warmupTurns = scenario.warmupTurns ?? 0;
      for (const side of ['bare', 'gate']) {
        const first = await warmUp(scenario[side], servers, warmup, warmupTurns);
        if (warmupTurns > 0) firstSeconds[side].push(first);
      }
      const slices = { bare: [], gate: [] };
      for (const side of sliceOrder(DURATION / SLICE, round)) {
        slices[side].push(await scenario[side](servers, SLICE));
      }
      bare.push(merged(slices.bare));
      gate.push(merged(slices.gate));
    } finally {
      await stop();
    }
    const b = bare.at(-1);
    const g = gate.at(-1);
    log(
      `  ${scenario.name} round ${round + 1}/${ROUNDS}: bare ${b.rps.toFixed(0)}/s p50 ${b.p50.toFixed(3)} ms, ` +
        `gatehouse ${g.rps.toFixed(0)}/s p50 ${g.p50.toFixed(3)} ms` +
        (firstSeconds.gate.length > 0
          ? ` (first second: bare ${firstSeconds.bare.at(-1).p50.toFixed(3)} ms, ` +
            `gatehouse ${firstSeconds.gate.at(-1).p50.toFixed(3)} ms)`
          : ''),
    );
  }
  const side = (runs) => ({
    rps: spread(runs.map((run) => run.rps)).median,
    p50: median(runs.map((run) => run.p50)),
    p99: median(runs.map((run) => run.p99)),
  });
  const result = {
    name: scenario.name,
    title: scenario.title,
    available: true,
    kind: scenario.kind,
  };
  result.bare = side(bare);
  result.gatehouse = side(gate);
  if (firstSeconds.gate.length > 0) {
    // Not a goal figure: how a process that has served few turns yet answers (unoptimized code).
    result.bare.firstSecondP50 = median(firstSeconds.bare.map((run) => run.p50));
    result.gatehouse.firstSecondP50 = median(firstSeconds.gate.map((run) => run.p50));
  }
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
  sliceSecs: SLICE,
  warmupSecs: WARMUP,
  turnWarmupSecs: TURN_WARMUP,
  turnWarmupTurns: TURN_WARMUP_TURNS,
  freshProcessesPerRound: true,
  connections: CONNECTIONS,
  loadCpu: LOAD_CPU ?? null,
};
log(
  `gatehouse bench: ${ROUNDS} rounds × ${DURATION} s per side in alternating ${SLICE} s slices ` +
    `(fresh processes, ${WARMUP} s ` +
    `warm-up each; for chat turns ${TURN_WARMUP} s and ${TURN_WARMUP_TURNS} turns), ` +
    `${CONNECTIONS} connections, ` +
    `load by ${LOAD_TOOL}, node ${process.version}, ${machine.cpus} × ${machine.cpu}, ` +
    (LOAD_CPU === undefined
      ? 'load generator not pinned to a CPU'
      : `load generator on CPU ${LOAD_CPU}`),
);

const results = [];
for (const scenario of scenarios()) results.push(await measure(scenario));
if (JSON_OUTPUT) console.log(JSON.stringify({ machine, results }, null, 2));
else printTable(results);
