import type { RedisClient } from './redis-client.js';
import type { StateEvents } from './state-events.js';

/** Options of the Redis pub/sub events. */
export interface RedisStateEventsOptions {
  /** The command client; a duplicate of it is opened for subscriptions. */
  client: RedisClient;
  /** Channels are named `<keyPrefix>events:<channel>`, so deployments sharing a Redis stay apart. */
  keyPrefix: string;
}

/**
 * Redis pub/sub. The subscriber connection reconnects by itself (node-redis resubscribes after
 * a reconnect); messages sent while it was down are lost, which is why every subscriber also
 * polls the store.
 */
export async function createRedisStateEvents(
  options: RedisStateEventsOptions,
): Promise<StateEvents> {
  const { client, keyPrefix } = options;
  const subscriber = client.duplicate();
  // A dropped subscriber connection is reported by the command client already.
  subscriber.on('error', () => undefined);
  await subscriber.connect();
  const name = (channel: string): string => `${keyPrefix}events:${channel}`;
  return {
    async publish(channel, message) {
      await client.publish(name(channel), message);
    },
    async subscribe(channel, listener) {
      await subscriber.subscribe(name(channel), listener);
      return async () => {
        if (subscriber.isOpen) await subscriber.unsubscribe(name(channel), listener);
      };
    },
    async close() {
      if (subscriber.isOpen) await subscriber.close();
    },
  };
}
