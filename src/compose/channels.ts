import type { Logger } from 'pino';
import { createChannelAdapters } from '../channels/registry.js';
import { channelRoutes } from '../channels/routes.js';
import { startChannelPolling } from '../channels/polling.js';
import type { Config } from '../config/schema.js';
import type { Dispatch } from '../core/types.js';
import { resolveInboxPath } from '../inbox/inbox-path.js';
import { openSqliteInbox } from '../inbox/sqlite-inbox.js';
import { createInboxWorker } from '../inbox/worker.js';
import type { Observer } from '../observability/types.js';
import type { HealthRegistry } from '../runtime/types.js';
import type { RouteRegistrar } from '../server/types.js';

export interface ChannelWiringOptions {
  config: Config;
  home: string;
  dispatch: Dispatch;
  observer: Observer;
  health: HealthRegistry;
  logger: Logger;
}

/** Messaging channels: their webhook routes, and the durable inbox with its worker. */
export interface ChannelWiring {
  routes: RouteRegistrar;
  /** Recovers what a crash left unfinished, starts the worker and any polling. */
  start(): Promise<void>;
  /** Stops intake and the worker (in-flight items up to `deadlineMs`), then closes the inbox. */
  stop(deadlineMs: number): Promise<void>;
}

/** Opens the inbox and builds one adapter per configured channel. */
export function wireChannels(options: ChannelWiringOptions): ChannelWiring {
  const { config, home, dispatch, observer, health, logger } = options;
  const inbox = openSqliteInbox({ path: resolveInboxPath(config.inbox, home) });
  const { adapters, warnings } = createChannelAdapters(config, { cursors: inbox, health });
  for (const warning of warnings) logger.warn(warning);
  for (const adapter of adapters) health.report(`channels.${adapter.name}`, 'ok');
  const settings = config.inbox;
  const worker = createInboxWorker({
    inbox,
    adapters,
    dispatch,
    observer,
    health,
    logger,
    concurrency: settings.concurrency,
    maxAttempts: settings.max_attempts,
    retryBaseMs: settings.retry_base_ms,
    retryMaxMs: settings.retry_max_ms,
  });
  let polling: { stop(): Promise<void> } | undefined;

  return {
    routes: channelRoutes({ adapters, inbox, observer, health, logger }),
    async start() {
      await worker.start();
      polling = startChannelPolling({ adapters, inbox, observer, logger });
    },
    async stop(deadlineMs) {
      await polling?.stop();
      await worker.stop(deadlineMs);
      await inbox.close();
    },
  };
}
