import type { Observer } from '../observability/types.js';
import type { HealthRegistry } from './types.js';

/** Options for createHeartbeat. */
export interface HeartbeatOptions {
  intervalMs: number;
  observer: Observer;
  health: HealthRegistry;
}

/** A periodic liveness tick: emits HeartbeatTick and reports `heartbeat` ok. */
export interface Heartbeat {
  start(): void;
  stop(): void;
}

/** Creates the heartbeat component; its timer never keeps the process alive on its own. */
export function createHeartbeat(options: HeartbeatOptions): Heartbeat {
  const { intervalMs, observer, health } = options;
  let timer: NodeJS.Timeout | undefined;

  function tick(): void {
    observer.record({ type: 'HeartbeatTick' });
    health.report('heartbeat', 'ok');
  }

  return {
    start() {
      if (timer !== undefined) return;
      health.report('heartbeat', 'ok');
      timer = setInterval(tick, intervalMs);
      timer.unref();
    },
    stop() {
      if (timer === undefined) return;
      clearInterval(timer);
      timer = undefined;
    },
  };
}
