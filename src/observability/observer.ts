import type { Logger } from 'pino';
import type { GatewayMetrics } from './metrics.js';
import type { Observer, ObserverEvent } from './types.js';

/** Options for createObserver. */
export interface ObserverOptions {
  /** Prometheus instruments (backend "prometheus"). */
  metrics?: Pick<GatewayMetrics, 'observe'> | null;
  logger?: Logger;
  /** Log every event at info (backend "log"); errors are logged whatever this says. */
  logEvents: boolean;
}

/** An observer that drops everything (backend "none" and tests). */
export const NOOP_OBSERVER: Observer = { record: () => undefined };

/** Fans each event out to metrics and logs; never throws into the caller. */
export function createObserver(options: ObserverOptions): Observer {
  const { metrics, logger, logEvents } = options;

  function log(event: ObserverEvent): void {
    if (logger === undefined) return;
    if (event.type === 'Error') {
      logger.warn({ component: event.component, error: event.message }, 'component error');
      return;
    }
    if (event.type === 'LlmResponse' && !event.success) {
      logger.warn(
        { provider: event.provider, model: event.model, error: event.errorMessage },
        'llm request failed',
      );
      return;
    }
    if (logEvents) logger.info({ event }, event.type);
  }

  return {
    record: function recordEvent(event: ObserverEvent): void {
      try {
        metrics?.observe(event);
        log(event);
      } catch (error) {
        // A broken metric or log sink must not fail the request that reported the event.
        try {
          logger?.error({ err: error }, 'observer failed to record an event');
        } catch {
          // The logger itself is what failed; there is nowhere left to report it.
        }
      }
    },
  };
}
