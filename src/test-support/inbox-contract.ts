import { afterEach, describe, expect, it } from 'vitest';
import type { InboundMessage } from '../core/types.js';
import type { Inbox } from '../inbox/types.js';

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

/** The Inbox contract every implementation (SQLite now, Redis later) must pass. */
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
      const [item] = await first.claim(1, Date.now());
      await first.complete(item!.id);
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
      const first = await inbox.claim(10, now);
      expect(first.map((item) => item.message.messageId)).toEqual(['a1', 'b1']);
      expect(first.every((item) => item.status === 'processing' && item.attempts === 1)).toBe(true);
      expect(await inbox.claim(10, now)).toEqual([]);
      await inbox.complete(first[0]!.id);
      const next = await inbox.claim(10, now);
      expect(next.map((item) => item.message.messageId)).toEqual(['a2']);
    });

    it('holds back later messages of a conversation while an earlier one waits for a retry', async () => {
      const inbox = await start();
      await inbox.enqueue([inboxMessage('a1'), inboxMessage('a2')]);
      const now = Date.now();
      const [item] = await inbox.claim(10, now);
      await inbox.retry(item!.id, now + 60_000, 'HTTP 429');
      expect(await inbox.claim(10, now)).toEqual([]);
      const later = await inbox.claim(10, now + 60_000);
      expect(later.map((i) => [i.message.messageId, i.attempts, i.lastError])).toEqual([
        ['a1', 2, 'HTTP 429'],
      ]);
    });

    it('does not let a failed message block its conversation', async () => {
      const inbox = await start();
      await inbox.enqueue([inboxMessage('a1'), inboxMessage('a2')]);
      const [item] = await inbox.claim(10, Date.now());
      await inbox.fail(item!.id, 'gave up');
      const next = await inbox.claim(10, Date.now());
      expect(next.map((i) => i.message.messageId)).toEqual(['a2']);
      expect(await inbox.counts()).toEqual({ pending: 0, processing: 1, done: 0, failed: 1 });
    });

    it('respects the claim limit', async () => {
      const inbox = await start();
      await inbox.enqueue(
        ['1', '2', '3'].map((n) => inboxMessage(n, { conversationId: `c${n}`, senderId: n })),
      );
      expect(await inbox.claim(2, Date.now())).toHaveLength(2);
      expect(await inbox.claim(2, Date.now())).toHaveLength(1);
    });

    it('returns the full message and the saved reply on a later claim', async () => {
      const inbox = await start();
      const message = inboxMessage('m1', { text: 'héllo 👋' });
      await inbox.enqueue([message]);
      const [item] = await inbox.claim(1, Date.now());
      expect(item!.message).toEqual(message);
      expect(item!.reply).toBeUndefined();
      await inbox.saveReply(item!.id, 'the answer');
      await inbox.retry(item!.id, 0, 'delivery failed');
      const [again] = await inbox.claim(1, Date.now());
      expect(again!.reply).toBe('the answer');
    });

    it('recovers items left processing by a crash, reply included', async () => {
      const first = await start();
      await first.enqueue([inboxMessage('m1'), inboxMessage('m2', { conversationId: 'c2' })]);
      const claimed = await first.claim(10, Date.now());
      await first.saveReply(claimed[0]!.id, 'saved before the crash');
      await first.close();
      const second = await start();
      expect(await second.claim(10, Date.now())).toEqual([]);
      expect(await second.recover()).toBe(2);
      const again = await second.claim(10, Date.now());
      expect(again.map((item) => [item.message.messageId, item.reply])).toEqual([
        ['m1', 'saved before the crash'],
        ['m2', undefined],
      ]);
    });

    it('counts items per status', async () => {
      const inbox = await start();
      await inbox.enqueue([inboxMessage('1'), inboxMessage('2', { conversationId: 'c2' })]);
      expect(await inbox.counts()).toEqual({ pending: 2, processing: 0, done: 0, failed: 0 });
      const [item] = await inbox.claim(1, Date.now());
      expect(await inbox.counts()).toEqual({ pending: 1, processing: 1, done: 0, failed: 0 });
      await inbox.complete(item!.id);
      expect(await inbox.counts()).toEqual({ pending: 1, processing: 0, done: 1, failed: 0 });
    });

    it('sweeps finished items older than the cutoff and keeps unfinished ones', async () => {
      const inbox = await start();
      await inbox.enqueue([inboxMessage('1'), inboxMessage('2', { conversationId: 'c2' })]);
      const [item] = await inbox.claim(1, Date.now());
      await inbox.complete(item!.id);
      expect(await inbox.sweep(Date.now() - 60_000)).toBe(0);
      expect(await inbox.sweep(Date.now() + 60_000)).toBe(1);
      expect(await inbox.counts()).toEqual({ pending: 1, processing: 0, done: 0, failed: 0 });
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
