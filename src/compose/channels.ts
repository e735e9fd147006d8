import type { Logger } from 'pino';
import { holdUnverifiableChannels } from '../channels/channel-health.js';
import type { ChannelRegistry } from '../channels/registry.js';
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
  /** Starts the worker and any polling. */
  start(): Promise<void>;
  /** Stops intake and the worker (in-flight items up to `deadlineMs`), then closes the inbox. */
  stop(deadlineMs: number): Promise<void>;
  /** Inbox items by status, for `gatehouse_inbox_items`. */
  inboxCounts(): Promise<Readonly<Record<string, number>>>;
  /** Retention: deletes done and dead items older than `inbox.retention_secs`; how many. */
  sweepInbox(now?: number): Promise<number>;
}

/** Opens the inbox and builds one adapter per configured channel. */
export async function wireChannels(options: ChannelWiringOptions): Promise<ChannelWiring> {
  const { config, home, dispatch, observer, health, logger } = options;
  // The inbox and its worker exist without any channel: `gatehouse inbox` reads the file, and
  // items a previous run left behind are still claimed again.
  const inbox = openSqliteInbox({ path: resolveInboxPath(config.inbox, home) });
  let registry: ChannelRegistry = { adapters: [], warnings: [], unverifiable: {} };
  if (hasAdapterChannel(config)) {
    // Imported only when needed: the adapter modules are start-up time for gateways that serve
    // only /webhook and the browser.
    const { createChannelAdapters } = await import('../channels/registry.js');
    registry = createChannelAdapters(config, { cursors: inbox, health });
  }
  const { adapters, warnings, unverifiable } = registry;
  for (const warning of warnings) logger.warn(warning);
  // A channel that cannot verify its requests shows `degraded` (naming the unset key), never `ok`,
  // also after a later successful delivery.
  const channelHealth = holdUnverifiableChannels(health, unverifiable);
  for (const adapter of adapters) channelHealth.report(`channels.${adapter.name}`, 'ok');
  const settings = config.inbox;
  const worker = createInboxWorker({
    inbox,
    adapters,
    dispatch,
    observer,
    health: channelHealth,
    logger,
    concurrency: settings.concurrency,
    maxAttempts: settings.max_attempts,
    retryBaseMs: settings.retry_base_ms,
    retryMaxMs: settings.retry_max_ms,
    leaseMs: settings.lease_secs * 1000,
    maxAgeMs: settings.max_age_secs * 1000,
  });
  let polling: { stop(): Promise<void> } | undefined;

  return {
    routes: channelRoutes({ adapters, inbox, observer, health: channelHealth, logger }),
    async start() {
      await worker.start();
      polling = startChannelPolling({ adapters, inbox, observer, logger });
    },
    sweepInbox: (now = Date.now()) => inbox.sweep(now - settings.retention_secs * 1000),
    async stop(deadlineMs) {
      await polling?.stop();
      await worker.stop(deadlineMs);
      await inbox.close();
    },
    inboxCounts: () => inbox.counts(),
  };
}

/** Sections served by the WebSocket channel and the generic webhook, not by an adapter. */
const NON_ADAPTER_CHANNELS = new Set(['web', 'webhook']);

/** Whether `channels_config` has a section (whatsapp, slack, telegram…) that needs an adapter. */
function hasAdapterChannel(config: Config): boolean {
  return Object.entries(config.channels_config).some(
    ([name, section]) => !NON_ADAPTER_CHANNELS.has(name) && section !== undefined,
  );
}
