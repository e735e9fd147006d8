import * as z from 'zod';
import type { SlackConfig } from '../../config/schema.js';
import { isRetryablePlatformStatus, postJson } from '../post-json.js';
import { parseRetryAfter } from '../retry-after.js';
import { DeliveryError, type OutboundReply } from '../types.js';
import { slackReplyMetadata } from './reply-metadata.js';
import { parseSlackReplyTarget } from './reply-target.js';

/** Slack advises keeping `text` under 4000 characters; `adapter.split` keeps each part within it. */
export const SLACK_MAX_TEXT = 4000;

// Web API errors that come back with HTTP 200 and `ok: false` yet are worth retrying.
const RETRYABLE_ERRORS: ReadonlySet<string> = new Set([
  'ratelimited',
  'rate_limited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
]);

const resultSchema = z.object({ ok: z.boolean(), error: z.string().optional() });

export interface SlackDeliverOptions {
  config: SlackConfig;
  fetch: typeof fetch;
}

/** Posts a reply with `chat.postMessage` in the original thread; `ok: false` is a failure. */
export async function deliverSlackReply(
  options: SlackDeliverOptions,
  reply: OutboundReply,
  signal: AbortSignal,
): Promise<void> {
  const target = parseSlackReplyTarget(reply.message.replyTarget);
  if (!target) {
    throw new DeliveryError('Slack reply target is malformed', { retryable: false });
  }
  const url = `${options.config.api_base_url.replace(/\/+$/, '')}/chat.postMessage`;
  // One stored part: the inbox split and formatted the reply (`adapter.split`).
  const part = reply.text;
  const response = await postJson({
    fetch: options.fetch,
    url,
    headers: {
      authorization: `Bearer ${options.config.bot_token}`,
      'content-type': 'application/json; charset=utf-8',
    },
    body: {
      channel: target.channel,
      text: part,
      thread_ts: target.threadTs,
      // The part id travels with the message so a crash-interrupted send can be looked up.
      ...(reply.partId === undefined ? {} : { metadata: slackReplyMetadata(reply.partId) }),
    },
    signal,
    secrets: [options.config.bot_token],
  });
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), Date.now());
  const result = resultSchema.safeParse(response.body);
  if (response.status >= 200 && response.status < 300 && result.success && result.data.ok) {
    return;
  }
  const error = result.success ? result.data.error : undefined;
  throw new DeliveryError(
    `Slack chat.postMessage failed with HTTP ${response.status}${error ? ` (${error})` : ''}`,
    {
      retryable:
        isRetryablePlatformStatus(response.status) ||
        (error !== undefined && RETRYABLE_ERRORS.has(error)),
      retryAfterMs,
      status: response.status,
    },
  );
}
