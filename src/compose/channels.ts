import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { holdUnverifiableChannels } from '../channels/channel-health.js';
import type { ChannelInstance, ChannelModule, ChannelServices } from '../channels/module.js';
import { CHANNEL_MODULES } from '../channels/modules.js';
import { startChannelPolling, type ChannelPollingOptions } from '../channels/polling.js';
import { channelRouteRegistrar, upgradePaths } from '../channels/route-builder.js';
import type { ChannelAdapter } from '../channels/types.js';
import type { ChannelDeliverer } from '../core/delivery.js';
import type { Dispatch } from '../core/types.js';
import type { RouteRegistrar } from '../http/route-types.js';
import { openInbox, type InboxRedis } from '../inbox/open-inbox.js';
import { createInboxWorker } from '../inbox/worker.js';

/** What the channels are built with, minus what this step makes itself (the inbox, warnings). */
export type ChannelWiringOptions = Omit<ChannelServices, 'inbox' | 'warn'> & {
  home: string;
  logger: Logger;
  /** Defaults to every channel (`CHANNEL_MODULES`). */
  modules?: readonly ChannelModule[];
  /** The inbox worker's dispatch, when it must differ from the synchronous channels'. */
  inboxDispatch?: Dispatch;
  /** The shared Redis of `[state] backend = "redis"`, for `[inbox] backend = "redis"`. */
  redis?: InboxRedis;
};

/** Every channel: its routes, upgrade hooks, the durable inbox and its worker. */
export interface ChannelWiring {
  routes: RouteRegistrar;
  /** Serves every declared WebSocket path on the server; returns a detach function. */
  attach(server: Server): () => void;
  /** Closes live sessions (before the HTTP drain, which they would otherwise hold open). */
  closeSessions(code: number, reason: string): void;
  /** Starts the worker and any polling. */
  start(): Promise<void>;
  /** Stops intake and the worker (in-flight items up to `deadlineMs`), then closes the inbox. */
  stop(deadlineMs: number): Promise<void>;
  /** Inbox items by status, for `gatehouse_inbox_items`. */
  inboxCounts(): Promise<Readonly<Record<string, number>>>;
  /** Retention: deletes done and dead items older than `inbox.retention_secs`; how many. */
  sweepInbox(now?: number): Promise<number>;
}

/** Opens the inbox and builds every channel module in the list. */
export async function wireChannels(options: ChannelWiringOptions): Promise<ChannelWiring> {
  const { config, home, logger } = options;
  const modules = options.modules ?? CHANNEL_MODULES;
  // The inbox and its worker exist without any channel: `gatehouse inbox` reads the file, and
  // items a previous run left behind are still claimed again.
  const { inbox } = await openInbox({ config: config.inbox, home, redis: options.redis });
  const unverifiable: Record<string, string> = {};
  const services: ChannelServices = {
    ...options,
    inbox,
    warn(channel, reason, flags) {
      logger.warn(reason);
      if (flags?.unverifiable !== true) return;
      const previous = unverifiable[channel];
      unverifiable[channel] = previous === undefined ? reason : `${previous}; ${reason}`;
    },
  };
  const built = await buildChannels(modules, services);
  // A channel that cannot verify its requests shows `degraded` (naming the unset key), never `ok`,
  // also after a later successful delivery.
  const health = holdUnverifiableChannels(options.health, unverifiable);
  const adapters = built.flatMap(({ instance }) =>
    instance?.adapter === undefined ? [] : [instance.adapter],
  );
  const deliverers = adapters.filter(isDeliverer);
  const settings = config.inbox;
  for (const adapter of deliverers) health.report(`channels.${adapter.name}`, 'ok');
  const worker = createInboxWorker({
    inbox,
    adapters: deliverers,
    // The inbox channels count their messages at intake, so the worker gets the uncounted dispatch.
    dispatch: options.inboxDispatch ?? options.dispatch,
    observer: options.observer,
    health,
    logger,
    concurrency: settings.concurrency,
    maxAttempts: settings.max_attempts,
    retryBaseMs: settings.retry_base_ms,
    retryMaxMs: settings.retry_max_ms,
    leaseMs: settings.lease_secs * 1000,
    maxAgeMs: settings.max_age_secs * 1000,
  });
  let polling: { stop(): Promise<void> } | undefined;
  // A shared inbox means several instances: each polling channel polls on one of them only.
  const redis = options.redis;
  let leadership: ChannelPollingOptions['leadership'];
  if (settings.backend === 'redis' && redis !== undefined) {
    // Loaded on demand, like the Redis inbox: a gateway on SQLite never loads the Redis client.
    const { createRedisLeaderLease } = await import('../state/redis-leader-lease.js');
    leadership = {
      lease: (channel: string) =>
        createRedisLeaderLease({
          client: redis.client,
          keyPrefix: redis.keyPrefix,
          name: `inbox:leader:${channel}`,
        }),
      leaseMs: settings.lease_secs * 1000,
    };
  }

  return {
    routes: channelRouteRegistrar(
      built.map(({ module, instance }) => ({
        routes: module.routes,
        handlers: instance?.handlers,
      })),
    ),
    attach(server) {
      const detach = built.flatMap(({ module, instance }) =>
        instance?.attach === undefined
          ? []
          : [instance.attach(server, upgradePaths(module.routes))],
      );
      return () => {
        for (const step of detach) step();
      };
    },
    closeSessions(code, reason) {
      for (const { instance } of built) instance?.closeAll?.(code, reason);
    },
    async start() {
      await worker.start();
      polling = startChannelPolling({
        adapters,
        inbox,
        observer: options.observer,
        logger,
        ...(leadership === undefined ? {} : { leadership }),
      });
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

interface BuiltChannel {
  module: ChannelModule;
  instance: ChannelInstance | undefined;
}

/** Builds each module in list order; names and paths must be unique across the list. */
async function buildChannels(
  modules: readonly ChannelModule[],
  services: ChannelServices,
): Promise<BuiltChannel[]> {
  const names = new Set<string>();
  const built: BuiltChannel[] = [];
  for (const module of modules) {
    if (names.has(module.name)) throw new Error(`channel "${module.name}" is listed twice`);
    names.add(module.name);
    built.push({ module, instance: await module.create(services) });
  }
  return built;
}

function isDeliverer(adapter: ChannelAdapter): adapter is ChannelAdapter & ChannelDeliverer {
  return adapter.deliver !== undefined && 'split' in adapter && 'unknownOutcome' in adapter;
}
