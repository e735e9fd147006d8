import { expect, it } from 'vitest';
import type { ClaimedItem, Inbox } from '../inbox/types.js';
import { inboxMessage } from './inbox-contract.js';

/**
 * Two-owner cases of the Inbox contract: `start()` opens another consumer of the same queue
 * (another instance, with a store that can be shared). Registered inside the contract's describe.
 */
export function twoOwnerCases(start: () => Promise<Inbox>): void {
  it('two owners: the same channel message enqueued on both at once is accepted once', async () => {
    const a = await start();
    const b = await start();
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, n) => (n % 2 === 0 ? a : b).enqueue([inboxMessage('dup')])),
    );
    expect(results.reduce((sum, r) => sum + r.accepted, 0)).toBe(1);
    expect(results.reduce((sum, r) => sum + r.duplicates, 0)).toBe(5);
    expect((await b.counts()).pending).toBe(1);
  });

  it('two owners: the dead owner’s late writes with its old token are refused and change nothing', async () => {
    const dead = await start();
    const live = await start();
    await dead.enqueue([inboxMessage('m1')]);
    const now = Date.now();
    const [stale] = await dead.claim(1, 1_000, now);
    await dead.saveReply(stale!, ['first answer', 'second part']);
    await dead.markPart(stale!, 0, 'delivered');
    // The owner stops extending (it died); after the lease the other instance takes over.
    const [taken] = await live.claim(1, 1_000, now + 1_000);
    expect(taken!.claimToken).not.toBe(stale!.claimToken);
    expect(taken!.parts).toEqual([
      { text: 'first answer', state: 'delivered' },
      { text: 'second part', state: 'pending' },
    ]);
    expect(await dead.saveReply(stale!, ['another answer'])).toBe(false);
    expect(await dead.markPart(stale!, 1, 'unknown')).toBe(false);
    expect(await live.markPart(taken!, 1, 'delivered')).toBe(true);
    expect(await live.complete(taken!)).toBe(true);
    // Even after the item is done, the old token cannot reopen or bury it.
    expect(await dead.retry(stale!, 0, 'late')).toBe(false);
    expect(await dead.bury(stale!, 'exhausted', 'late')).toBe(false);
    expect(await live.counts()).toMatchObject({ pending: 0, processing: 0, done: 1, dead: 0 });
  });

  it('two owners: one conversation is processed in order, one message at a time', async () => {
    const a = await start();
    const b = await start();
    const ids = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'];
    for (const [n, id] of ids.entries()) await (n % 2 === 0 ? a : b).enqueue([inboxMessage(id)]);
    const order: string[] = [];
    let live = 0;
    let overlap = false;
    const consume = async (inbox: Inbox): Promise<void> => {
      for (let idle = 0; idle < 50 && order.length < ids.length;) {
        const [item]: ClaimedItem[] = await inbox.claim(1, 30_000);
        if (item === undefined) {
          idle += 1;
          await new Promise((resolve) => setImmediate(resolve));
          continue;
        }
        live += 1;
        if (live > 1) overlap = true;
        order.push(item.message.messageId);
        await new Promise((resolve) => setImmediate(resolve));
        live -= 1;
        expect(await inbox.complete(item)).toBe(true);
      }
    };
    await Promise.all([consume(a), consume(b)]);
    expect(overlap).toBe(false);
    expect(order).toEqual(ids);
  });
}
