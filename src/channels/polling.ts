import type { Logger } from 'pino';
import type { InboundMessage } from '../core/types.js';
import type { Inbox } from '../inbox/types.js';
import type { Observer } from '../observability/types.js';
import { acceptMessages } from './intake.js';
import type { ChannelAdapter } from './types.js';

export interface ChannelPollingOptions {
  adapters: ReadonlyArray<ChannelAdapter>;
  inbox: Inbox;
  observer: Observer;
  logger: Logger;
}

/** Running background intakes; `stop()` aborts them and waits until they returned. */
export interface ChannelPolling {
  stop(): Promise<void>;
}

/** Starts `poll` for every adapter that has one (Telegram in polling mode), feeding the inbox. */
export function startChannelPolling(options: ChannelPollingOptions): ChannelPolling {
  const abort = new AbortController();
  const loops = options.adapters
    .filter((adapter) => adapter.poll !== undefined)
    .map((adapter) => {
      const sink = async (messages: InboundMessage[], dropped: number): Promise<void> => {
        await acceptMessages(options, adapter.name, { messages, dropped });
      };
      return (adapter.poll?.(sink, abort.signal) ?? Promise.resolve()).catch((error: unknown) => {
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
