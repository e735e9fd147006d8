import type { Logger } from 'pino';

/** A lease that at most one instance holds at a time (e.g. in Redis); see the Redis inbox. */
export interface PollingLease {
  /** Takes or renews the lease for `leaseMs`; how long another holder's lease still runs. */
  acquire(leaseMs: number): Promise<{ leading: boolean; remainingMs: number }>;
  /** Gives it up (a clean stop). */
  release(): Promise<void>;
}

export interface LeaderPollingOptions {
  lease: PollingLease;
  leaseMs: number;
  /** The intake loop; runs only while this instance leads, stopped through its signal. */
  poll: (signal: AbortSignal) => Promise<void>;
  /** Stops everything and releases the lease. */
  signal: AbortSignal;
  logger: Logger;
  channel: string;
}

/**
 * Runs `poll` on exactly one instance at a time. The leader renews its lease every third of
 * `leaseMs`; a renewal that fails (Redis unreachable) or finds the lease taken stops polling at
 * once, well before the lease could run out. Followers look again every third of `leaseMs`, or
 * right when the current lease ends if that is sooner: a dead leader is replaced as soon as its
 * lease expires, a released lease within a third of it. The poll itself resumes from the shared
 * cursor, so the new leader continues where the old one stopped. The leader also keeps its own
 * deadline (the lease's length from when the last successful renewal was sent): a renewal that
 * stalls past it stops polling then, instead of when the stalled call finally fails.
 */
export async function pollWhileLeading(options: LeaderPollingOptions): Promise<void> {
  const { lease, leaseMs, signal, logger, channel } = options;
  const renewEveryMs = Math.max(1, Math.floor(leaseMs / 3));
  let running: { abort: AbortController; done: Promise<void> } | undefined;
  let deadline: NodeJS.Timeout | undefined;
  const stopPolling = async (): Promise<void> => {
    clearTimeout(deadline);
    if (running === undefined) return;
    const { abort, done } = running;
    running = undefined;
    abort.abort();
    await done;
  };
  try {
    while (!signal.aborted) {
      let waitMs = renewEveryMs;
      const sentAt = Date.now();
      try {
        const attempt = await lease.acquire(leaseMs);
        if (attempt.leading) {
          // Held until sentAt + leaseMs at the latest, whatever the next renewal does.
          clearTimeout(deadline);
          deadline = setTimeout(
            () => {
              if (running !== undefined) {
                logger.warn({ channel }, 'polling lease not renewed in time: polling paused');
              }
              void stopPolling();
            },
            Math.max(0, sentAt + leaseMs - Date.now()),
          );
        }
        if (attempt.leading && running === undefined) {
          logger.info({ channel }, 'polling leader: this instance polls');
          const abort = new AbortController();
          const done = options.poll(abort.signal).catch((error: unknown) => {
            logger.error({ channel, err: error }, 'channel polling stopped');
          });
          running = { abort, done };
        } else if (!attempt.leading) {
          if (running !== undefined) logger.warn({ channel }, 'polling leadership lost');
          await stopPolling();
          waitMs = Math.min(renewEveryMs, attempt.remainingMs + 5);
        }
      } catch (error) {
        // Whether this instance still leads is unknown: stop polling rather than risk two pollers.
        if (running !== undefined) {
          logger.warn({ channel, err: error }, 'polling lease unreachable: polling paused');
        }
        await stopPolling();
      }
      await sleep(waitMs, signal);
    }
  } finally {
    await stopPolling();
    await lease.release().catch(() => undefined);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
