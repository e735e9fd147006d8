import type { Logger } from 'pino';
import type { ChannelDeliverer as ChannelAdapter } from '../core/delivery.js';
import type { Dispatch } from '../core/types.js';
import type { Observer } from '../observability/types.js';
import type { HealthRegistry } from '../runtime/types.js';
import { processItem, type ProcessContext } from './process-item.js';
import type { ClaimedItem, Inbox } from './types.js';

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
  /** How long a claim lasts without renewal; renewed every third of it while processing. */
  leaseMs: number;
  /** Items older than this when claimed become dead letters (`expired`) without an answer. */
  maxAgeMs: number;
  /** Safety-net poll while idle (enqueues in this process wake the worker at once). */
  idlePollMs?: number;
}

/** Drains the inbox through the core dispatch and delivers replies. */
export interface InboxWorker {
  /** Starts draining; items a dead owner left are claimed again once their lease expires. */
  start(): Promise<void>;
  /** Stops claiming; waits for in-flight items up to `deadlineMs`, then aborts them. */
  stop(deadlineMs?: number): Promise<void>;
}

/** Creates the worker; nothing runs until `start()`. */
export function createInboxWorker(options: InboxWorkerOptions): InboxWorker {
  const { inbox, logger, health } = options;
  const inFlight = new Set<Promise<void>>();
  /** Claimed items being processed, with the controller that stops one whose lease was lost. */
  const claimed = new Map<ClaimedItem, AbortController>();
  const timers = new Set<NodeJS.Timeout>();
  const abort = new AbortController();
  let running = false;
  let pumping = false;
  let again = false;
  let unsubscribe: (() => void) | undefined;
  const { leaseMs } = options;
  // Kept apart from `timers`: leases are renewed until the last in-flight item has settled.
  let renewTimer: NodeJS.Timeout | undefined;

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
    maxAgeMs: options.maxAgeMs,
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
        const free = options.concurrency - inFlight.size;
        if (!running || free <= 0) break;
        const items = await inbox.claim(free, leaseMs);
        health.report('inbox', 'ok');
        for (const item of items) {
          const lease = new AbortController();
          claimed.set(item, lease);
          const signal = AbortSignal.any([abort.signal, lease.signal]);
          const work = processItem(ctx, item, signal)
            .catch((error: unknown) => {
              // Only the inbox itself failing lands here (e.g. closed during shutdown).
              logger.error({ item: item.id, err: error }, 'inbox bookkeeping failed');
            })
            .finally(() => {
              claimed.delete(item);
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

  /** Renews every live claim; an item whose claim is gone is stopped before it sends more. */
  async function renewLeases(): Promise<void> {
    for (const [item, lease] of claimed) {
      try {
        if (!(await inbox.extendLease(item, leaseMs))) {
          logger.warn({ item: item.id }, 'inbox lease lost; stopping work on the item');
          lease.abort(new Error('inbox lease lost'));
        }
      } catch (error) {
        // The store is unreachable: the lease may lapse; the next renewal tries again.
        logger.warn({ item: item.id, err: error }, 'inbox lease renewal failed');
      }
    }
  }

  return {
    async start() {
      if (running) return;
      running = true;
      unsubscribe = inbox.onEnqueued(schedule);
      const idle = setInterval(schedule, options.idlePollMs ?? 1000);
      idle.unref();
      timers.add(idle);
      renewTimer = setInterval(() => void renewLeases(), Math.max(1, Math.floor(leaseMs / 3)));
      renewTimer.unref();
      health.report('inbox', 'ok');
      schedule();
    },
    async stop(deadlineMs = 10_000) {
      running = false;
      unsubscribe?.();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      try {
        if (await settledWithin([...inFlight], deadlineMs)) return;
        // Past the deadline: abort the rest; they hand their item back (or its lease expires).
        abort.abort(new Error('inbox worker stopped'));
        await settledWithin([...inFlight], 2000);
      } finally {
        clearInterval(renewTimer);
      }
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
