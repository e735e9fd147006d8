import type { Logger } from 'pino';
import { DeliveryError, type ChannelDeliverer as ChannelAdapter } from '../core/delivery.js';
import type { Dispatch, Principal } from '../core/types.js';
import { isGatewayError } from '../errors.js';
import { describeError } from '../observability/index.js';
import type { Observer } from '../observability/types.js';
import { ProviderError } from '../providers/types.js';
import type { HealthRegistry } from '../runtime/types.js';
import { computeRetryDelay } from './retry-delay.js';
import type { Inbox, InboxItem } from './types.js';

/** Longest failure reason kept in the inbox and logs. */
const MAX_REASON_LENGTH = 500;

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
 * Runs one claimed item: agent turn (skipped when a reply was already saved), reply saved
 * BEFORE delivery so a crash after the LLM call redelivers rather than asks the agent again,
 * then delivery; marked done only once delivered. Failures are retried or finally failed.
 */
export async function processItem(
  ctx: ProcessContext,
  item: InboxItem,
  signal: AbortSignal,
): Promise<void> {
  const { message } = item;
  const adapter = ctx.adapters.get(message.channel);
  if (!adapter) {
    await finalFailure(ctx, item, undefined, `no adapter for channel ${message.channel}`);
    return;
  }
  try {
    let reply = item.reply;
    if (reply === undefined) {
      const result = await ctx.dispatch({
        message,
        principal: channelPrincipal(message.channel, message.senderId),
        idempotencyKey: `${message.channel}:${message.messageId}`,
        signal,
      });
      reply = result.response;
      await ctx.inbox.saveReply(item.id, reply);
    }
    await adapter.deliver({ message, text: reply }, signal);
    await ctx.inbox.complete(item.id);
    ctx.observer.record({
      type: 'ChannelMessage',
      channel: message.channel,
      direction: 'outbound',
    });
    ctx.health.report(`channels.${message.channel}`, 'ok');
  } catch (error) {
    const reason = describeError(error, MAX_REASON_LENGTH);
    if (signal.aborted) {
      // Shutdown, not a failure: hand it back untouched for the next start.
      await ctx.inbox.retry(item.id, ctx.now(), `interrupted: ${reason}`);
      return;
    }
    if (isRetryable(error) && item.attempts < ctx.maxAttempts) {
      const delay = computeRetryDelay({
        attempt: item.attempts,
        baseMs: ctx.retryBaseMs,
        maxMs: ctx.retryMaxMs,
        retryAfterMs: error instanceof DeliveryError ? error.retryAfterMs : undefined,
      });
      const notBefore = ctx.now() + delay;
      await ctx.inbox.retry(item.id, notBefore, reason);
      ctx.health.report(`channels.${message.channel}`, 'degraded', reason);
      ctx.logger.warn(
        { channel: message.channel, item: item.id, attempt: item.attempts, delayMs: delay, reason },
        'channel message will be retried',
      );
      ctx.onRetryScheduled(notBefore);
      return;
    }
    await finalFailure(ctx, item, adapter, reason);
  }
}

async function finalFailure(
  ctx: ProcessContext,
  item: InboxItem,
  adapter: ChannelAdapter | undefined,
  reason: string,
): Promise<void> {
  const { channel } = item.message;
  await ctx.inbox.fail(item.id, reason);
  ctx.observer.record({ type: 'ChannelMessage', channel, direction: 'failed' });
  ctx.observer.record({ type: 'Error', component: `channels.${channel}`, message: reason });
  ctx.logger.error(
    { channel, item: item.id, attempts: item.attempts, reason },
    'channel message failed',
  );
  if (!adapter) return;
  try {
    await adapter.deliver(
      { message: item.message, text: FAILURE_REPLY },
      AbortSignal.timeout(15_000),
    );
  } catch (error) {
    // Expected when the platform itself is what failed; the failure is already recorded.
    ctx.logger.warn(
      { channel, item: item.id, reason: describeError(error, MAX_REASON_LENGTH) },
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
