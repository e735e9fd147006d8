import type { Logger } from 'pino';
import type { InboundMessage } from '../core/types.js';
import type { Inbox } from '../inbox/types.js';
import type { Observer } from '../observability/types.js';
import { acceptMessages } from './intake.js';
import { pollWhileLeading, type PollingLease } from './polling-leader.js';
import type { ChannelAdapter } from './types.js';

export interface ChannelPollingOptions {
  adapters: ReadonlyArray<ChannelAdapter>;
  inbox: Inbox;
  observer: Observer;
  logger: Logger;
  /**
   * With a shared inbox: each channel polls on one instance only, the holder of this lease
   * (renewed every third of `leaseMs`). Without it every poll runs here.
   */
  leadership?: { lease: (channel: string) => PollingLease; leaseMs: number };
}

/** Running background intakes; `stop()` aborts them and waits until they returned. */
export interface ChannelPolling {
  stop(): Promise<void>;
}

/**
 * Starts `poll` for every adapter that has one (Telegram in polling mode), feeding the inbox;
 * under `leadership`, only while this instance holds the channel's lease.
 */
export function startChannelPolling(options: ChannelPollingOptions): ChannelPolling {
  const abort = new AbortController();
  const loops = options.adapters
    .filter((adapter) => adapter.poll !== undefined)
    .map((adapter) => {
      const sink = async (messages: InboundMessage[], dropped: number): Promise<void> => {
        await acceptMessages(options, adapter.name, { messages, dropped });
      };
      const poll = (signal: AbortSignal): Promise<void> =>
        adapter.poll?.(sink, signal) ?? Promise.resolve();
      const leadership = options.leadership;
      const running =
        leadership === undefined
          ? poll(abort.signal)
          : pollWhileLeading({
              lease: leadership.lease(adapter.name),
              leaseMs: leadership.leaseMs,
              poll,
              signal: abort.signal,
              logger: options.logger,
              channel: adapter.name,
            });
      return running.catch((error: unknown) => {
        options.logger.error({ channel: adapter.name, err: error }, 'channel polling stopped');
      });
    });
  return {
    async stop() {
      abort.abort();
      await Promise.allSettled(loops);
    },
  };
}
