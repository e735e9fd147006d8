// Processes of an earlier benchmark (or test) run that are still alive: a leftover gateway, fake
// LLM, baseline, proxy or load generator takes CPU from the one being measured, and its figures
// go wrong without a sign. Linux only (reads /proc); elsewhere nothing is found.
import { readdirSync, readFileSync } from 'node:fs';

const BENCH_PROCESS =
  /gatehouse\.cjs start|bench\/(fake-llm|baseline-server|pass-through-proxy|ws-sessions-client)\.mjs|(^|\/)wrk /;

/** `pid command` of every such process other than this one. */
export function otherBenchProcesses() {
  let pids;
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  const found = [];
  for (const pid of pids) {
    if (pid === String(process.pid)) continue;
    let command;
    try {
      command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    } catch {
      continue; // Gone meanwhile, or not ours to read.
    }
    if (BENCH_PROCESS.test(command)) found.push(`${pid} ${command}`);
  }
  return found;
}

/**
 * Exits 2 listing the processes found, unless `--allow-others` was given (say, to measure beside
 * a gateway in use): then they are only listed, on stderr.
 */
export function refuseOtherBenchProcesses() {
  const others = otherBenchProcesses();
  if (others.length === 0) return;
  const list = others.map((line) => `  ${line}`).join('\n');
  if (process.argv.includes('--allow-others')) {
    process.stderr.write(`measuring beside these processes (--allow-others):\n${list}\n`);
    return;
  }
  process.stderr.write(
    `these processes would share the CPUs with the benchmark:\n${list}\n` +
      'stop them (kill PID), or pass --allow-others to measure anyway\n',
  );
  process.exit(2);
}
