import type { Logger } from 'pino';
import type { ChannelDeliverer as ChannelAdapter } from '../core/delivery.js';
import type { Dispatch } from '../core/types.js';
import type { Observer } from '../observability/types.js';
import type { HealthRegistry } from '../runtime/types.js';
import { processItem, type ProcessContext } from './process-item.js';
import type { Inbox } from './types.js';

/** Done and failed items are kept this long as dedup markers against late redeliveries. */
export const DEFAULT_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

export interface InboxWorkerOptions {
  inbox: Inbox;
  adapters: ReadonlyArray<ChannelAdapter>;
  dispatch: Dispatch;
  observer: Observer;
  health: HealthRegistry;
  logger: Logger;
  concurrency: number;
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** Safety-net poll while idle (enqueues in this process wake the worker at once). */
  idlePollMs?: number;
  retentionMs?: number;
  sweepIntervalMs?: number;
}

/** Drains the inbox through the core dispatch and delivers replies. */
export interface InboxWorker {
  /** Recovers items a crash left in processing, then starts draining. */
  start(): Promise<void>;
  /** Stops claiming; waits for in-flight items up to `deadlineMs`, then aborts them. */
  stop(deadlineMs?: number): Promise<void>;
}

/** Creates the worker; nothing runs until `start()`. */
export function createInboxWorker(options: InboxWorkerOptions): InboxWorker {
  const { inbox, logger, health } = options;
  const inFlight = new Set<Promise<void>>();
  const timers = new Set<NodeJS.Timeout>();
  const abort = new AbortController();
  let running = false;
  let pumping = false;
  let again = false;
  let unsubscribe: (() => void) | undefined;
  let lastSweep = 0;
  const retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
  const sweepIntervalMs = options.sweepIntervalMs ?? 60 * 60 * 1000;

  const ctx: ProcessContext = {
    inbox,
    adapters: new Map(options.adapters.map((adapter) => [adapter.name, adapter])),
    dispatch: options.dispatch,
    observer: options.observer,
    health,
    logger,
    maxAttempts: options.maxAttempts,
    retryBaseMs: options.retryBaseMs,
    retryMaxMs: options.retryMaxMs,
    now: Date.now,
    onRetryScheduled: (notBefore) => wakeAt(notBefore),
  };

  function wakeAt(at: number): void {
    if (!running) return;
    const timer = setTimeout(
      () => {
        timers.delete(timer);
        schedule();
      },
      Math.max(0, at - Date.now()),
    );
    timers.add(timer);
  }

  function schedule(): void {
    if (!running) return;
    if (pumping) {
      again = true;
      return;
    }
    void pump();
  }

  async function pump(): Promise<void> {
    pumping = true;
    try {
      do {
        again = false;
        await maybeSweep();
        const free = options.concurrency - inFlight.size;
        if (!running || free <= 0) break;
        const items = await inbox.claim(free, Date.now());
        health.report('inbox', 'ok');
        for (const item of items) {
          const work = processItem(ctx, item, abort.signal)
            .catch((error: unknown) => {
              // Only the inbox itself failing lands here (e.g. closed during shutdown).
              logger.error({ item: item.id, err: error }, 'inbox bookkeeping failed');
            })
            .finally(() => {
              inFlight.delete(work);
              schedule();
            });
          inFlight.add(work);
        }
        if (items.length === free) again = true;
      } while (again && running);
    } catch (error) {
      health.report('inbox', 'error', error);
      logger.error({ err: error }, 'inbox claim failed');
    } finally {
      pumping = false;
    }
  }

  async function maybeSweep(): Promise<void> {
    const now = Date.now();
    if (now - lastSweep < sweepIntervalMs) return;
    lastSweep = now;
    const removed = await inbox.sweep(now - retentionMs);
    if (removed > 0) logger.debug({ removed }, 'inbox sweep removed old items');
  }

  return {
    async start() {
      if (running) return;
      const recovered = await inbox.recover();
      if (recovered > 0) logger.info({ recovered }, 'inbox recovered unfinished messages');
      running = true;
      unsubscribe = inbox.onEnqueued(schedule);
      const idle = setInterval(schedule, options.idlePollMs ?? 1000);
      idle.unref();
      timers.add(idle);
      health.report('inbox', 'ok');
      schedule();
    },
    async stop(deadlineMs = 10_000) {
      running = false;
      unsubscribe?.();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      if (await settledWithin([...inFlight], deadlineMs)) return;
      // Past the deadline: abort the rest; they hand their item back (or a restart recovers it).
      abort.abort(new Error('inbox worker stopped'));
      await settledWithin([...inFlight], 2000);
    },
  };
}

/** Resolves true when every promise settled within `ms`, false on the deadline. */
async function settledWithin(work: Array<Promise<void>>, ms: number): Promise<boolean> {
  if (work.length === 0) return true;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const done = Promise.allSettled(work).then(() => true as const);
  const result = await Promise.race([done, deadline]);
  clearTimeout(timer);
  return result;
}
