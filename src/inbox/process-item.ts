import type { Logger } from 'pino';
import { DeliveryError, type ChannelDeliverer as ChannelAdapter } from '../core/delivery.js';
import type { Dispatch, Principal } from '../core/types.js';
import { isGatewayError } from '../errors.js';
import { describeError } from '../observability/index.js';
import type { Observer } from '../observability/types.js';
import { ProviderError } from '../providers/types.js';
import type { HealthRegistry } from '../runtime/types.js';
import { deliverParts, LostClaimError } from './deliver-parts.js';
import { computeRetryDelay } from './retry-delay.js';
import type { ClaimedItem, DeadReason, Inbox } from './types.js';

/** Longest failure reason kept in the inbox and logs. */
export const MAX_REASON_LENGTH = 500;

/** Sent (best effort) when a message finally fails, so the sender is not left waiting. */
export const FAILURE_REPLY = 'Sorry — I couldn\u2019t process that message.';

/** What processing one item needs; shared by every item a worker handles. */
export interface ProcessContext {
  inbox: Inbox;
  adapters: ReadonlyMap<string, ChannelAdapter>;
  dispatch: Dispatch;
  observer: Observer;
  health: HealthRegistry;
  logger: Logger;
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** An item older than this (from acceptance or requeue) when claimed is not answered. */
  maxAgeMs: number;
  now: () => number;
  /** Called with the time a retried item becomes due, so the worker can wake then. */
  onRetryScheduled: (notBefore: number) => void;
}

/** The principal a channel sender acts as: scoped to its channel and nothing else. */
export function channelPrincipal(channel: string, senderId: string): Principal {
  return {
    id: `channel:${channel}:${senderId}`,
    kind: 'channel',
    scopes: new Set([`channels:${channel}`]),
  };
}

/**
 * Runs one claimed item: agent turn (skipped when a reply was already saved), the reply split and
 * saved BEFORE delivery so a crash after the LLM call redelivers rather than asks the agent again,
 * then each part not yet delivered; marked done once every part is. Failures are retried or
 * become dead letters. A stale item (older than `maxAgeMs`, nothing sent yet) is not answered.
 */
export async function processItem(
  ctx: ProcessContext,
  item: ClaimedItem,
  signal: AbortSignal,
): Promise<void> {
  const { message } = item;
  const adapter = ctx.adapters.get(message.channel);
  if (!adapter) {
    await bury(ctx, item, undefined, 'permanent', `no adapter for channel ${message.channel}`);
    return;
  }
  const started = item.parts?.some((part) => part.state !== 'pending') === true;
  const age = ctx.now() - item.enqueuedAt;
  if (!started && age > ctx.maxAgeMs) {
    const reason = `not answered: ${Math.round(age / 1000)} s old when its turn came (inbox.max_age_secs = ${Math.round(ctx.maxAgeMs / 1000)})`;
    await bury(ctx, item, undefined, 'expired', reason);
    return;
  }
  try {
    if (item.parts === undefined) {
      const result = await ctx.dispatch({
        message,
        principal: channelPrincipal(message.channel, message.senderId),
        idempotencyKey: `${message.channel}:${message.messageId}`,
        signal,
      });
      if (result.noReply === true) {
        // Dropped by a pipeline stage (rate limit past its one notice): nothing to deliver.
        if (!(await ctx.inbox.complete(item))) throw new LostClaimError();
        ctx.observer.record({
          type: 'ChannelMessage',
          channel: message.channel,
          direction: 'dropped',
        });
        return;
      }
      if (!(await ctx.inbox.saveReply(item, adapter.split(result.response)))) {
        throw new LostClaimError();
      }
    }
    await deliverParts({ ...ctx, adapter }, item, signal);
    if (!(await ctx.inbox.complete(item))) throw new LostClaimError();
    ctx.observer.record({
      type: 'ChannelMessage',
      channel: message.channel,
      direction: 'outbound',
    });
    ctx.health.report(`channels.${message.channel}`, 'ok');
  } catch (error) {
    await handleFailure(ctx, item, adapter, error, signal);
  }
}

async function handleFailure(
  ctx: ProcessContext,
  item: ClaimedItem,
  adapter: ChannelAdapter,
  error: unknown,
  signal: AbortSignal,
): Promise<void> {
  const { channel } = item.message;
  if (error instanceof LostClaimError) {
    // The lease ran out and another worker owns the item now; it finishes the job.
    ctx.logger.warn({ channel, item: item.id }, 'inbox claim lost; another worker took over');
    return;
  }
  const reason = describeError(error, MAX_REASON_LENGTH);
  if (signal.aborted) {
    // Shutdown, not a failure: hand it back untouched for the next start.
    await ctx.inbox.retry(item, ctx.now(), `interrupted: ${reason}`);
    return;
  }
  if (!isRetryable(error)) {
    await bury(ctx, item, adapter, 'permanent', reason);
    return;
  }
  if (item.attempts >= ctx.maxAttempts) {
    await bury(ctx, item, adapter, 'exhausted', reason);
    return;
  }
  const delay = computeRetryDelay({
    attempt: item.attempts,
    baseMs: ctx.retryBaseMs,
    maxMs: ctx.retryMaxMs,
    retryAfterMs: error instanceof DeliveryError ? error.retryAfterMs : undefined,
  });
  const notBefore = ctx.now() + delay;
  await ctx.inbox.retry(item, notBefore, reason);
  ctx.health.report(`channels.${channel}`, 'degraded', reason);
  ctx.logger.warn(
    { channel, item: item.id, attempt: item.attempts, delayMs: delay, reason },
    'channel message will be retried',
  );
  ctx.onRetryScheduled(notBefore);
}

/** To dead letters; the sender gets a short apology unless the item expired (no reply at all). */
async function bury(
  ctx: ProcessContext,
  item: ClaimedItem,
  adapter: ChannelAdapter | undefined,
  reason: DeadReason,
  error: string,
): Promise<void> {
  const { channel } = item.message;
  if (!(await ctx.inbox.bury(item, reason, error))) return;
  const expired = reason === 'expired';
  ctx.observer.record({
    type: 'ChannelMessage',
    channel,
    direction: expired ? 'expired' : 'failed',
  });
  if (!expired)
    ctx.observer.record({ type: 'Error', component: `channels.${channel}`, message: error });
  ctx.logger[expired ? 'warn' : 'error'](
    { channel, item: item.id, attempts: item.attempts, reason, error },
    'channel message moved to dead letters',
  );
  if (!adapter || expired) return;
  try {
    for (const text of adapter.split(FAILURE_REPLY)) {
      await adapter.deliver({ message: item.message, text }, AbortSignal.timeout(15_000));
    }
  } catch (failure) {
    // Expected when the platform itself is what failed; the failure is already recorded.
    ctx.logger.warn(
      { channel, item: item.id, reason: describeError(failure, MAX_REASON_LENGTH) },
      'error reply failed',
    );
  }
}

/**
 * Delivery errors say so themselves. A provider failure reaches us wrapped in LLM_REQUEST_FAILED,
 * which the registry calls retryable for a client; the wrapped ProviderError knows better (a 401
 * bad key or a 400 fails on every attempt, a 429, 5xx, timeout or aborted call may pass later).
 * Other gateway errors go by their code; anything else may pass.
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof DeliveryError) return error.retryable;
  if (error instanceof ProviderError) return isRetryableProviderError(error);
  if (isGatewayError(error)) {
    if (error.cause instanceof ProviderError) return isRetryableProviderError(error.cause);
    return error.retryable;
  }
  return true;
}

function isRetryableProviderError(error: ProviderError): boolean {
  return error.retryable || error.aborted;
}
