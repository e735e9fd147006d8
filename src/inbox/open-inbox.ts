import type { InboxConfig } from '../config/schema.js';
import type { RedisClient } from '../state/redis-client.js';
import { resolveInboxPath } from './inbox-path.js';
import { openSqliteInbox } from './sqlite-inbox.js';
import type { Inbox } from './types.js';

/** The shared Redis connection of `[state] backend = "redis"`. */
export interface InboxRedis {
  client: RedisClient;
  keyPrefix: string;
}

/** Options of `openInbox`: the `[inbox]` section, the state directory and Redis when shared. */
export interface OpenInboxOptions {
  config: InboxConfig;
  home: string;
  /** Required for `backend = "redis"` (start-up refuses that backend without Redis state). */
  redis?: InboxRedis;
}

/** An open inbox and a description of where it lives (for `gatehouse inbox` and the logs). */
export interface OpenedInbox {
  inbox: Inbox;
  location: string;
}

/**
 * The only place that chooses an Inbox: the SQLite file (`inbox.path`) or the queue in Redis
 * under `<key_prefix>inbox:`, shared by every instance. The Redis inbox never closes the shared
 * client: its owner (the state backend or the CLI) does. The Redis inbox is loaded on demand, so a
 * gateway on SQLite never loads the Redis client.
 */
export async function openInbox(options: OpenInboxOptions): Promise<OpenedInbox> {
  if (options.config.backend === 'sqlite') {
    const path = resolveInboxPath(options.config, options.home);
    return { inbox: openSqliteInbox({ path }), location: path };
  }
  const redis = options.redis;
  if (redis === undefined) {
    throw new Error('inbox.backend = "redis" needs state.backend = "redis"');
  }
  const { openRedisInbox } = await import('./redis-inbox.js');
  return {
    inbox: openRedisInbox({ client: redis.client, keyPrefix: redis.keyPrefix, ownsClient: false }),
    location: redisInboxLocation(redis.keyPrefix),
  };
}

/** How the Redis inbox is named to the operator (never the URL: it may hold a password). */
export function redisInboxLocation(keyPrefix: string): string {
  return `redis keys ${keyPrefix}inbox:*`;
}
