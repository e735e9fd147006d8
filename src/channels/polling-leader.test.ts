import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TelegramConfig } from '../config/schema.js';
import { openRedisInbox } from '../inbox/redis-inbox.js';
import type { Inbox } from '../inbox/types.js';
import type { RedisClient } from '../state/redis-client.js';
import { createRedisLeaderLease } from '../state/redis-leader-lease.js';
import { telegramUpdate } from '../test-support/channel-payloads.js';
import { recordingObserver, silentLogger } from '../test-support/channel-test-deps.js';
import { startFakeTelegramApi, type FakeTelegramApi } from '../test-support/fake-telegram-api.js';
import { createTestRedis, type TestRedis } from '../test-support/redis-server.js';
import { startChannelPolling, type ChannelPolling } from './polling.js';
import { createTelegramAdapter } from './telegram/index.js';

/*
 * Telegram polling on a shared (Redis) inbox: two instances, one fake Bot API. Only the holder of
 * the lease polls; when it dies another takes over from the shared offset.
 */

const TOKEN = '777:leader-token';
const LEASE_MS = 600;

let redis: TestRedis;
beforeAll(async () => {
  redis = await createTestRedis();
});
afterAll(async () => {
  await redis.close();
});

interface Instance {
  client: RedisClient;
  inbox: Inbox;
  polling: ChannelPolling;
  /** getUpdates loops started on this instance, and how many run right now. */
  started: number;
  active: number;
}

describe('Telegram polling leadership (Redis inbox)', () => {
  let fake: FakeTelegramApi;
  let prefix: string;
  const instances: Instance[] = [];
  let maxActive = 0;

  beforeEach(async () => {
    fake = await startFakeTelegramApi({ botToken: TOKEN });
    prefix = redis.uniquePrefix();
    maxActive = 0;
  });
  afterEach(async () => {
    for (const instance of instances.splice(0)) {
      await instance.polling.stop();
      await instance.inbox.close();
    }
    await fake.close();
    await redis.deleteKeys(prefix);
  });

  const config = (): TelegramConfig => ({
    bot_token: TOKEN,
    allowed_users: ['*'],
    mode: 'polling',
    poll_timeout_secs: 1,
    on_unknown_outcome: 'resend' as const,
    api_base_url: fake.url,
  });

  async function startInstance(): Promise<Instance> {
    const client = await redis.connect();
    const inbox = openRedisInbox({ client, keyPrefix: prefix, ownsClient: false });
    const adapter = createTelegramAdapter({
      config: config(),
      cursors: inbox,
      pollBackoffBaseMs: 10,
      pollBackoffMaxMs: 50,
    });
    const instance = { client, inbox, started: 0, active: 0 } as Instance;
    const poll = adapter.poll!.bind(adapter);
    adapter.poll = async (sink, signal) => {
      instance.started += 1;
      instance.active += 1;
      maxActive = Math.max(
        maxActive,
        instances.reduce((n, i) => n + i.active, 0),
      );
      try {
        await poll(sink, signal);
      } finally {
        instance.active -= 1;
      }
    };
    instance.polling = startChannelPolling({
      adapters: [adapter],
      inbox,
      observer: recordingObserver(),
      logger: silentLogger(),
      leadership: {
        lease: (channel) =>
          createRedisLeaderLease({ client, keyPrefix: prefix, name: `inbox:leader:${channel}` }),
        leaseMs: LEASE_MS,
      },
    });
    instances.push(instance);
    return instance;
  }

  it('polls on exactly one instance; each update enters the shared inbox once', async () => {
    const [a, b] = [await startInstance(), await startInstance()];
    fake.pushUpdate(telegramUpdate({ updateId: 1, fromId: 5, text: 'one' }));
    fake.pushUpdate(telegramUpdate({ updateId: 2, fromId: 5, text: 'two' }));
    await vi.waitFor(async () => expect(await a.inbox.getCursor('telegram.offset')).toBe('3'), {
      timeout: 10_000,
    });
    // Several renewals later, still one poller.
    await new Promise((resolve) => setTimeout(resolve, LEASE_MS * 2));
    expect(a.started + b.started).toBe(1);
    expect(maxActive).toBe(1);
    expect(await b.inbox.counts()).toMatchObject({ pending: 2 });
  });

  it('another instance takes over when the leader dies, resuming from the shared offset', async () => {
    const first = await startInstance();
    const second = await startInstance();
    fake.pushUpdate(telegramUpdate({ updateId: 1, fromId: 5, text: 'one' }));
    await vi.waitFor(async () => expect(await first.inbox.getCursor('telegram.offset')).toBe('2'), {
      timeout: 10_000,
    });
    const [leader, follower] = first.started === 1 ? [first, second] : [second, first];
    expect(follower.started).toBe(0);
    // The leader loses Redis for good (as dead for the others): it can neither renew nor release.
    const seenBefore = fake.offsets().length;
    leader.client.destroy();
    await vi.waitFor(() => expect(follower.started).toBe(1), { timeout: LEASE_MS * 5 });
    expect(leader.active).toBe(0);
    fake.pushUpdate(telegramUpdate({ updateId: 2, fromId: 5, text: 'two' }));
    await vi.waitFor(
      async () => expect(await follower.inbox.getCursor('telegram.offset')).toBe('3'),
      { timeout: 10_000 },
    );
    // The new leader started at the shared offset, never from the beginning.
    expect(Math.min(...fake.offsets().slice(seenBefore))).toBeGreaterThanOrEqual(2);
    expect(maxActive).toBe(1);
    expect(await follower.inbox.counts()).toMatchObject({ pending: 2 });
  });

  it('releases the lease on a clean stop, so the next instance need not wait for it', async () => {
    const a = await startInstance();
    const b = await startInstance();
    await vi.waitFor(() => expect(a.started + b.started).toBe(1), { timeout: 5_000 });
    const [leader, follower] = a.started === 1 ? [a, b] : [b, a];
    const key = `${prefix}inbox:leader:telegram`;
    expect(await redis.keys(prefix)).toContain(key);
    await leader.polling.stop();
    expect(await redis.keys(prefix)).not.toContain(key);
    await vi.waitFor(() => expect(follower.started).toBe(1), { timeout: LEASE_MS * 3 });
  });
});
