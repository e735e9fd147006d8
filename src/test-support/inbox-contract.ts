import { afterEach, describe, expect, it } from 'vitest';
import type { InboundMessage } from '../core/types.js';
import type { Inbox } from '../inbox/types.js';
import { twoOwnerCases } from './inbox-two-owners.js';

/** A store under test: `open()` may be called again after `close()` to simulate a restart. */
export interface InboxHarness {
  open(): Promise<Inbox>;
  /** Removes whatever the store left behind (temp dirs, keys). */
  cleanup(): Promise<void>;
}

/** Builds a message; conversation defaults to one per sender. */
export function inboxMessage(id: string, overrides: Partial<InboundMessage> = {}): InboundMessage {
  return {
    channel: 'whatsapp',
    senderId: '+15550001',
    conversationId: 'whatsapp:15550001',
    text: `text ${id}`,
    messageId: id,
    replyTarget: '15550001',
    receivedAt: 1_700_000_000_000,
    ...overrides,
  };
}

const LEASE = 30_000;

/**
 * The Inbox contract every implementation (SQLite now, Redis later) must pass. `open()` may be
 * called several times at once: each result is another consumer of the same queue.
 */
export function runInboxContract(name: string, createHarness: () => Promise<InboxHarness>): void {
  describe(`Inbox contract: ${name}`, () => {
    let harness: InboxHarness | undefined;
    const open: Inbox[] = [];
    const start = async (): Promise<Inbox> => {
      harness ??= await createHarness();
      const inbox = await harness.open();
      open.push(inbox);
      return inbox;
    };
    afterEach(async () => {
      for (const inbox of open.splice(0)) await inbox.close();
      await harness?.cleanup();
      harness = undefined;
    });

    twoOwnerCases(start);

    it('accepts new messages and reports duplicates of the same channel message id', async () => {
      const inbox = await start();
      expect(await inbox.enqueue([inboxMessage('m1'), inboxMessage('m2')])).toEqual({
        accepted: 2,
        duplicates: 0,
      });
      expect(await inbox.enqueue([inboxMessage('m1')])).toEqual({ accepted: 0, duplicates: 1 });
      expect(
        await inbox.enqueue([inboxMessage('m1', { channel: 'slack', conversationId: 'slack:D1' })]),
      ).toEqual({ accepted: 1, duplicates: 0 });
    });

    it('keeps deduplicating after the message is done and the store is reopened', async () => {
      const first = await start();
      await first.enqueue([inboxMessage('m1')]);
      const [item] = await first.claim(1, LEASE);
      expect(await first.complete(item!)).toBe(true);
      await first.close();
      const second = await start();
      expect(await second.enqueue([inboxMessage('m1')])).toEqual({ accepted: 0, duplicates: 1 });
      expect((await second.counts()).done).toBe(1);
    });

    it('claims one item per conversation, oldest first, and blocks a busy conversation', async () => {
      const inbox = await start();
      await inbox.enqueue([
        inboxMessage('a1'),
        inboxMessage('a2'),
        inboxMessage('b1', { conversationId: 'whatsapp:2', senderId: '+2' }),
      ]);
      const now = Date.now();
      const first = await inbox.claim(10, LEASE, now);
      expect(first.map((item) => item.message.messageId)).toEqual(['a1', 'b1']);
      expect(first.every((item) => item.status === 'processing' && item.attempts === 1)).toBe(true);
      expect(first.every((item) => item.leaseUntil === now + LEASE)).toBe(true);
      expect(await inbox.claim(10, LEASE, now)).toEqual([]);
      await inbox.complete(first[0]!);
      const next = await inbox.claim(10, LEASE, now);
      expect(next.map((item) => item.message.messageId)).toEqual(['a2']);
    });

    it('holds back later messages of a conversation while an earlier one waits for a retry', async () => {
      const inbox = await start();
      await inbox.enqueue([inboxMessage('a1'), inboxMessage('a2')]);
      const now = Date.now();
      const [item] = await inbox.claim(10, LEASE, now);
      await inbox.retry(item!, now + 60_000, 'HTTP 429');
      expect(await inbox.claim(10, LEASE, now)).toEqual([]);
      const later = await inbox.claim(10, LEASE, now + 60_000);
      expect(later.map((i) => [i.message.messageId, i.attempts, i.lastError])).toEqual([
        ['a1', 2, 'HTTP 429'],
      ]);
    });

    it('moves an item to dead letters with reason and error; it no longer blocks its conversation', async () => {
      const inbox = await start();
      await inbox.enqueue([inboxMessage('a1'), inboxMessage('a2')]);
      const [item] = await inbox.claim(10, LEASE);
      expect(await inbox.bury(item!, 'exhausted', 'HTTP 500')).toBe(true);
      const next = await inbox.claim(10, LEASE);
      expect(next.map((i) => i.message.messageId)).toEqual(['a2']);
      expect(await inbox.counts()).toMatchObject({ pending: 0, processing: 1, done: 0, dead: 1 });
      const [dead] = await inbox.list({ status: 'dead' });
      expect(dead).toMatchObject({
        id: item!.id,
        channel: 'whatsapp',
        senderId: '+15550001',
        status: 'dead',
        attempts: 1,
        reason: 'exhausted',
        lastError: 'HTTP 500',
      });
    });

    it('requeues a dead letter with attempts reset and its age counted from the requeue', async () => {
      const inbox = await start();
      await inbox.enqueue([inboxMessage('a1')]);
      const [item] = await inbox.claim(1, LEASE);
      await inbox.bury(item!, 'expired', 'too old');
      const at = Date.now() + 5_000;
      expect(await inbox.requeue(item!.id, at)).toBe(true);
      expect(await inbox.requeue(item!.id, at)).toBe(false);
      const [again] = await inbox.claim(1, LEASE, at);
      expect(again).toMatchObject({ id: item!.id, attempts: 1, enqueuedAt: at });
      expect(again!.deadReason).toBeUndefined();
    });

    it('holds a requeued dead letter back while a later message of its conversation is processed', async () => {
      const inbox = await start();
      await inbox.enqueue([inboxMessage('a1'), inboxMessage('a2')]);
      const [first] = await inbox.claim(10, LEASE);
      await inbox.bury(first!, 'exhausted', 'HTTP 500');
      const [second] = await inbox.claim(10, LEASE);
      expect(second!.message.messageId).toBe('a2');
      expect(await inbox.requeue(first!.id)).toBe(true);
      expect(await inbox.claim(10, LEASE)).toEqual([]);
      await inbox.complete(second!);
      const [again] = await inbox.claim(10, LEASE);
      expect(again!.message.messageId).toBe('a1');
    });

    it('drops one item, never one being processed, and purges by status and age', async () => {
      const inbox = await start();
      await inbox.enqueue(['1', '2', '3', '4'].map((n) => inboxMessage(n, { conversationId: n })));
      const claimed = await inbox.claim(3, LEASE);
      await inbox.complete(claimed[0]!);
      await inbox.bury(claimed[1]!, 'permanent', 'HTTP 400');
      expect(await inbox.drop(claimed[2]!.id)).toBe(false);
      const pending = (await inbox.list({ status: 'pending' }))[0]!;
      expect(await inbox.drop(pending.id)).toBe(true);
      expect(await inbox.drop(pending.id)).toBe(false);
      expect(await inbox.purge('done', Date.now() - 60_000)).toBe(0);
      expect(await inbox.purge('done')).toBe(1);
      expect(await inbox.purge('dead', Date.now() + 60_000)).toBe(1);
      expect(await inbox.counts()).toEqual({
        pending: 0,
        processing: 1,
        done: 0,
        dead: 0,
        unknown: 0,
      });
    });

    it('lists newest first, filtered by status and channel, limited', async () => {
      const inbox = await start();
      await inbox.enqueue([
        inboxMessage('1'),
        inboxMessage('2', { channel: 'slack', conversationId: 'slack:2' }),
        inboxMessage('3', { conversationId: 'c3' }),
      ]);
      expect((await inbox.list()).map((entry) => entry.text)).toEqual([
        'text 3',
        'text 2',
        'text 1',
      ]);
      expect((await inbox.list({ channel: 'slack' })).map((entry) => entry.text)).toEqual([
        'text 2',
      ]);
      expect(await inbox.list({ limit: 1 })).toHaveLength(1);
      expect(await inbox.list({ status: 'done' })).toEqual([]);
    });

    it('respects the claim limit', async () => {
      const inbox = await start();
      await inbox.enqueue(
        ['1', '2', '3'].map((n) => inboxMessage(n, { conversationId: `c${n}`, senderId: n })),
      );
      expect(await inbox.claim(2, LEASE)).toHaveLength(2);
      expect(await inbox.claim(2, LEASE)).toHaveLength(1);
    });

    it('keeps the reply parts and their states for a later claim', async () => {
      const inbox = await start();
      const message = inboxMessage('m1', { text: 'héllo 👋' });
      await inbox.enqueue([message]);
      const [item] = await inbox.claim(1, LEASE);
      expect(item!.message).toEqual(message);
      expect(item!.parts).toBeUndefined();
      expect(await inbox.saveReply(item!, ['part one', 'part two'])).toBe(true);
      expect(await inbox.markPart(item!, 0, 'sending')).toBe(true);
      expect(await inbox.markPart(item!, 0, 'delivered')).toBe(true);
      expect(await inbox.markPart(item!, 1, 'sending')).toBe(true);
      expect(await inbox.markPart(item!, 2, 'sending')).toBe(false);
      await inbox.retry(item!, 0, 'delivery failed');
      const [again] = await inbox.claim(1, LEASE);
      expect(again!.parts).toEqual([
        { text: 'part one', state: 'delivered' },
        { text: 'part two', state: 'sending' },
      ]);
      await inbox.markPart(again!, 1, 'unknown');
      expect((await inbox.counts()).unknown).toBe(1);
    });

    it('gives an item whose owner died to another consumer when its lease expires', async () => {
      const owner = await start();
      const other = await start();
      await owner.enqueue([inboxMessage('m1'), inboxMessage('m2')]);
      const now = Date.now();
      const [item] = await owner.claim(10, 1_000, now);
      await owner.saveReply(item!, ['saved before the owner died']);
      expect(await other.claim(10, 1_000, now + 999)).toEqual([]);
      const [taken] = await other.claim(10, 1_000, now + 1_000);
      expect(taken).toMatchObject({ id: item!.id, attempts: 2 });
      expect(taken!.parts).toEqual([{ text: 'saved before the owner died', state: 'pending' }]);
      // The first owner wakes up: its claim is gone, every write is refused.
      expect(await owner.markPart(item!, 0, 'delivered')).toBe(false);
      expect(await owner.complete(item!)).toBe(false);
      expect(await owner.retry(item!, 0, 'late')).toBe(false);
      expect(await owner.bury(item!, 'exhausted', 'late')).toBe(false);
      expect(await owner.extendLease(item!, 1_000, now + 1_001)).toBe(false);
      expect(await other.complete(taken!)).toBe(true);
      // The conversation moves on to its next message.
      const [next] = await owner.claim(10, 1_000, now + 1_002);
      expect(next!.message.messageId).toBe('m2');
    });

    it('does not hand out an item whose live owner keeps extending its lease', async () => {
      const owner = await start();
      const other = await start();
      await owner.enqueue([inboxMessage('m1')]);
      const now = Date.now();
      const [item] = await owner.claim(1, 1_000, now);
      expect(await owner.extendLease(item!, 1_000, now + 900)).toBe(true);
      expect(item!.leaseUntil).toBe(now + 1_900);
      expect(await other.claim(1, 1_000, now + 1_500)).toEqual([]);
      expect(await other.claim(1, 1_000, now + 1_900)).toHaveLength(1);
    });

    it('two consumers claiming at once never take the same item', async () => {
      const first = await start();
      const second = await start();
      await first.enqueue(
        Array.from({ length: 20 }, (_, n) => inboxMessage(`m${n}`, { conversationId: `c${n}` })),
      );
      const [a, b] = await Promise.all([first.claim(15, LEASE), second.claim(15, LEASE)]);
      const ids = [...a, ...b].map((item) => item.id);
      expect(ids).toHaveLength(20);
      expect(new Set(ids).size).toBe(20);
    });

    it('counts items per status', async () => {
      const inbox = await start();
      await inbox.enqueue([inboxMessage('1'), inboxMessage('2', { conversationId: 'c2' })]);
      expect(await inbox.counts()).toEqual({
        pending: 2,
        processing: 0,
        done: 0,
        dead: 0,
        unknown: 0,
      });
      const [item] = await inbox.claim(1, LEASE);
      expect(await inbox.counts()).toMatchObject({ pending: 1, processing: 1 });
      await inbox.complete(item!);
      expect(await inbox.counts()).toMatchObject({ pending: 1, processing: 0, done: 1 });
    });

    it('sweeps finished and dead items older than the cutoff and keeps unfinished ones', async () => {
      const inbox = await start();
      await inbox.enqueue([
        inboxMessage('1'),
        inboxMessage('2', { conversationId: 'c2' }),
        inboxMessage('3', { conversationId: 'c3' }),
      ]);
      const [done, dead] = await inbox.claim(2, LEASE);
      await inbox.complete(done!);
      await inbox.bury(dead!, 'permanent', 'x');
      expect(await inbox.sweep(Date.now() - 60_000)).toBe(0);
      expect(await inbox.sweep(Date.now() + 60_000)).toBe(2);
      expect(await inbox.counts()).toMatchObject({ pending: 1, done: 0, dead: 0 });
      expect(await inbox.enqueue([inboxMessage('1')])).toEqual({ accepted: 1, duplicates: 0 });
    });

    it('notifies listeners after an enqueue that accepted something', async () => {
      const inbox = await start();
      let calls = 0;
      const unsubscribe = inbox.onEnqueued(() => {
        calls += 1;
      });
      await inbox.enqueue([inboxMessage('1')]);
      await inbox.enqueue([inboxMessage('1')]);
      unsubscribe();
      await inbox.enqueue([inboxMessage('2')]);
      expect(calls).toBe(1);
    });

    it('persists cursors across reopen', async () => {
      const first = await start();
      expect(await first.getCursor('telegram.offset')).toBeUndefined();
      await first.setCursor('telegram.offset', '41');
      await first.setCursor('telegram.offset', '42');
      await first.close();
      const second = await start();
      expect(await second.getCursor('telegram.offset')).toBe('42');
    });
  });
}
