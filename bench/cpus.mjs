// Where the load generator runs. On a VM the virtual CPUs can differ in speed for minutes at a
// time (here a bare server answered 23–26k req/s on one and 40–41k on the other, at the same
// time), so a server that happened to share its CPU with the load generator, or land on the
// slower one, was slow for its whole life, and a round's ratio said more about placement than
// about the gateway. With taskset (util-linux) and at least two CPUs to use, the load generator
// runs on the first of them; the scheduler then puts each server's main thread on another, the
// same for both sides. The servers themselves are not pinned: the gateway's helper threads
// (SQLite checkpoints, garbage collection) may use any CPU, as they would in use. BENCH_PIN=0
// turns this off.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** The CPUs this process may run on (Linux), e.g. [0, 1]; undefined where that is unknown. */
function allowedCpus() {
  try {
    const list = /^Cpus_allowed_list:\s*(\S+)/m.exec(
      readFileSync('/proc/self/status', 'utf8'),
    )?.[1];
    return list?.split(',').flatMap((range) => {
      const [first, last = first] = range.split('-').map(Number);
      return Array.from({ length: last - first + 1 }, (_, index) => first + index);
    });
  } catch {
    return undefined;
  }
}

function hasTaskset(cpu) {
  try {
    execFileSync('taskset', ['-c', String(cpu), 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const cpus = allowedCpus();

/** The CPU the load generator runs on (the first one allowed), or undefined when not pinned. */
export const LOAD_CPU =
  process.env.BENCH_PIN !== '0' && cpus !== undefined && cpus.length >= 2 && hasTaskset(cpus[0])
    ? String(cpus[0])
    : undefined;

/** `[command, args]` that run `command args` on LOAD_CPU. */
export function onLoadCpu(command, args) {
  return LOAD_CPU === undefined ? [command, args] : ['taskset', ['-c', LOAD_CPU, command, ...args]];
}
