// Where the load generator runs. On a VM the virtual CPUs can differ in speed for minutes at a
// time (here a bare server answered 23–26k req/s on one and 40–41k on the other, at the same
// time), so a server that happened to share its CPU with the load generator, or land on the
// slower one, was slow for its whole life, and a round's ratio said more about placement than
// about the gateway. With taskset (util-linux) and at least two CPUs the load generator runs on
// the first CPU; the scheduler then puts each server's main thread on another, the same for both
// sides. The servers themselves are not pinned: the gateway's helper threads (SQLite
// checkpoints, garbage collection) may use any CPU, as they would in use. BENCH_PIN=0 turns this
// off.
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

function hasTaskset() {
  try {
    execFileSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The CPU the load generator runs on, or undefined when it is left to the scheduler. */
export const LOAD_CPU =
  process.env.BENCH_PIN !== '0' && availableParallelism() >= 2 && hasTaskset() ? '0' : undefined;

/** `[command, args]` that run `command args` on LOAD_CPU. */
export function onLoadCpu(command, args) {
  return LOAD_CPU === undefined ? [command, args] : ['taskset', ['-c', LOAD_CPU, command, ...args]];
}
