import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isGatewayError } from '../errors.js';
import { inboxMessage, runInboxContract } from '../test-support/inbox-contract.js';
import { createTestRedis, type TestRedis } from '../test-support/redis-server.js';
import { openRedisInbox } from './redis-inbox.js';

let redis: TestRedis;
beforeAll(async () => {
  redis = await createTestRedis();
});
afterAll(async () => {
  await redis.close();
});

runInboxContract('redis', async () => {
  const prefix = redis.uniquePrefix();
  return {
    // Each open() is another instance: its own connection, the same prefix.
    open: async () => openRedisInbox({ client: await redis.connect(), keyPrefix: prefix }),
    cleanup: () => redis.deleteKeys(prefix),
  };
});

describe('Redis inbox', () => {
  it('keeps every key under <key_prefix>inbox:', async () => {
    const prefix = redis.uniquePrefix();
    const inbox = openRedisInbox({ client: await redis.connect(), keyPrefix: prefix });
    await inbox.enqueue([inboxMessage('m1')]);
    const [item] = await inbox.claim(1, 30_000);
    await inbox.saveReply(item!, ['a']);
    await inbox.markPart(item!, 0, 'unknown');
    await inbox.setCursor('telegram.offset', '7');
    const keys = await redis.keys(prefix);
    expect(keys.length).toBeGreaterThan(5);
    expect(keys.every((key) => key.startsWith(`${prefix}inbox:`))).toBe(true);
    await inbox.close();
    await redis.deleteKeys(prefix);
  });

  it('keeps text with quotes, slashes and non-ASCII intact through a part update', async () => {
    const prefix = redis.uniquePrefix();
    const inbox = openRedisInbox({ client: await redis.connect(), keyPrefix: prefix });
    await inbox.enqueue([inboxMessage('m1')]);
    const [item] = await inbox.claim(1, 30_000);
    const text = 'say "hi" </b> \\ é 👋\n<pre>x</pre>';
    await inbox.saveReply(item!, [text, '']);
    expect(await inbox.markPart(item!, 1, 'delivered')).toBe(true);
    await inbox.retry(item!, 0, 'x');
    const [again] = await inbox.claim(1, 30_000);
    expect(again!.parts).toEqual([
      { text, state: 'pending' },
      { text: '', state: 'delivered' },
    ]);
    await inbox.close();
    await redis.deleteKeys(prefix);
  });

  it('rejects with STATE_UNAVAILABLE while the server cannot be reached', async () => {
    const client = await redis.connect();
    const inbox = openRedisInbox({ client, keyPrefix: redis.uniquePrefix() });
    client.destroy();
    const error: unknown = await inbox.enqueue([inboxMessage('m1')]).catch((e: unknown) => e);
    expect(isGatewayError(error) && error.code).toBe('STATE_UNAVAILABLE');
    await inbox.close();
  });
});
