import type { ChannelDeliverer } from '../core/delivery.js';
import type { Observer } from '../observability/types.js';
import type { ClaimedItem, Inbox } from './types.js';

/** The claim was lost (lease expired, another worker took the item): stop touching it. */
export class LostClaimError extends Error {
  constructor() {
    super('inbox claim lost');
    this.name = 'LostClaimError';
  }
}

/** What delivering the parts of one reply needs. */
export interface PartDeliveryContext {
  inbox: Inbox;
  adapter: ChannelDeliverer;
  observer: Observer;
}

/** Stable id of a reply part: the same for every attempt and every process. */
export function replyPartId(item: ClaimedItem, index: number): string {
  return `${item.message.channel}:${item.message.messageId}:${index}`;
}

/**
 * Sends the parts not yet delivered, in order, each marked `sending` before the platform call and
 * `delivered` after its answer, so a retry resumes at the first undelivered part. Parts a crash
 * left `sending` are settled first by the adapter's unknown-outcome policy.
 */
export async function deliverParts(
  ctx: PartDeliveryContext,
  item: ClaimedItem,
  signal: AbortSignal,
): Promise<void> {
  await settleUnknownOutcomes(ctx, item, signal);
  const parts = item.parts ?? [];
  for (let index = 0; index < parts.length; index += 1) {
    const part = parts[index];
    if (part === undefined || part.state === 'delivered' || part.state === 'unknown') continue;
    await mark(ctx, item, index, 'sending');
    await ctx.adapter.deliver(
      { message: item.message, text: part.text, partId: replyPartId(item, index) },
      signal,
    );
    await mark(ctx, item, index, 'delivered');
  }
}

/**
 * A part found `sending` was handed to the platform by a process that died before the answer.
 * `reconcile` asks the platform which parts it holds; `resend` sends again (at-least-once);
 * `skip` records the part as `unknown` and moves on (at-most-once).
 */
async function settleUnknownOutcomes(
  ctx: PartDeliveryContext,
  item: ClaimedItem,
  signal: AbortSignal,
): Promise<void> {
  const { adapter } = ctx;
  const sending = (item.parts ?? []).flatMap((part, index) =>
    part.state === 'sending' ? [index] : [],
  );
  if (sending.length === 0) return;
  const channel = item.message.channel;
  if (adapter.unknownOutcome === 'reconcile' && adapter.findDelivered !== undefined) {
    const ids = sending.map((index) => replyPartId(item, index));
    const found = await adapter.findDelivered(item.message, ids, signal);
    for (const index of sending) {
      const there = found.has(replyPartId(item, index));
      await mark(ctx, item, index, there ? 'delivered' : 'pending');
      ctx.observer.record({
        type: 'InboxUnknownOutcome',
        channel,
        resolution: there ? 'reconciled' : 'resent',
      });
    }
    return;
  }
  const skip = adapter.unknownOutcome === 'skip';
  for (const index of sending) {
    if (skip) await mark(ctx, item, index, 'unknown');
    ctx.observer.record({
      type: 'InboxUnknownOutcome',
      channel,
      resolution: skip ? 'skipped' : 'resent',
    });
  }
}

async function mark(
  ctx: PartDeliveryContext,
  item: ClaimedItem,
  index: number,
  state: 'pending' | 'sending' | 'delivered' | 'unknown',
): Promise<void> {
  if (!(await ctx.inbox.markPart(item, index, state))) throw new LostClaimError();
}
