import { describeError } from '../observability/redact.js';
import type { Observer } from '../observability/types.js';
import type { HealthRegistry, Scheduler } from './types.js';

/** Options for createScheduler. */
export interface SchedulerOptions {
  health: HealthRegistry;
  observer?: Observer;
}

/** The Scheduler port plus lifecycle: jobs start running once `start()` is called. */
export interface RuntimeScheduler extends Scheduler {
  start(): void;
}

interface Job {
  readonly name: string;
  readonly intervalMs: number;
  readonly run: () => void | Promise<void>;
  timer: NodeJS.Timeout | undefined;
  running: boolean;
}

/** Runs registered jobs on intervals; a failing job degrades `scheduler` but keeps its schedule. */
export function createScheduler(options: SchedulerOptions): RuntimeScheduler {
  const { health, observer } = options;
  const jobs = new Map<string, Job>();
  const failing = new Set<string>();
  let started = false;

  async function runJob(job: Job): Promise<void> {
    // A slow sweep must not pile up overlapping runs of itself.
    if (job.running) return;
    job.running = true;
    try {
      await job.run();
      if (failing.delete(job.name) && failing.size === 0) health.report('scheduler', 'ok');
    } catch (error) {
      failing.add(job.name);
      health.report('scheduler', 'degraded', error);
      observer?.record({
        type: 'Error',
        component: `scheduler.${job.name}`,
        message: describeError(error),
      });
    } finally {
      job.running = false;
    }
  }

  function arm(job: Job): void {
    job.timer = setInterval(() => void runJob(job), job.intervalMs);
    job.timer.unref();
  }

  return {
    every(name, intervalMs, run) {
      if (jobs.has(name)) throw new Error(`scheduler job "${name}" is already registered`);
      if (!(intervalMs > 0)) throw new RangeError(`scheduler job "${name}" needs intervalMs > 0`);
      const job: Job = { name, intervalMs, run, timer: undefined, running: false };
      jobs.set(name, job);
      if (started) arm(job);
    },
    start() {
      if (started) return;
      started = true;
      for (const job of jobs.values()) arm(job);
      health.report('scheduler', 'ok');
    },
    stop() {
      started = false;
      for (const job of jobs.values()) {
        clearInterval(job.timer);
        job.timer = undefined;
      }
    },
  };
}
