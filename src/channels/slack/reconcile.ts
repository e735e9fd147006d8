import * as z from 'zod';
import type { InboundMessage } from '../../core/types.js';
import { redactSecrets } from '../../observability/index.js';
import { DEFAULT_API_TIMEOUT_MS, isRetryablePlatformStatus } from '../post-json.js';
import { DeliveryError } from '../types.js';
import type { SlackDeliverOptions } from './deliver.js';
import { SLACK_REPLY_EVENT_TYPE } from './reply-metadata.js';
import { parseSlackReplyTarget } from './reply-target.js';

/** Pages of a thread read while reconciling; a reply thread longer than this is not expected. */
const MAX_PAGES = 20;

const repliesSchema = z.object({
  ok: z.boolean(),
  error: z.string().optional(),
  messages: z
    .array(
      z.object({
        metadata: z
          .object({
            event_type: z.string().optional(),
            event_payload: z.record(z.string(), z.unknown()).optional(),
          })
          .optional(),
      }),
    )
    .default([]),
  has_more: z.boolean().optional(),
  response_metadata: z.object({ next_cursor: z.string().optional() }).optional(),
});

/**
 * Reads the reply thread with `conversations.replies` (`include_all_metadata`) and returns the
 * part ids already posted there, found by the metadata gatehouse attached to each part. Used
 * after a crash left a part `sending`: a part found here was delivered and is not sent again.
 */
export async function findDeliveredSlackParts(
  options: SlackDeliverOptions,
  message: InboundMessage,
  partIds: readonly string[],
  signal: AbortSignal,
): Promise<ReadonlySet<string>> {
  const target = parseSlackReplyTarget(message.replyTarget);
  if (!target) throw new DeliveryError('Slack reply target is malformed', { retryable: false });
  const wanted = new Set(partIds);
  const found = new Set<string>();
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const query = new URLSearchParams({
      channel: target.channel,
      ts: target.threadTs,
      include_all_metadata: 'true',
      limit: '200',
    });
    if (cursor !== undefined) query.set('cursor', cursor);
    const body = await getSlackJson(options, `conversations.replies?${query}`, signal);
    for (const posted of body.messages) {
      const id = posted.metadata?.event_payload?.id;
      if (posted.metadata?.event_type === SLACK_REPLY_EVENT_TYPE && typeof id === 'string') {
        if (wanted.has(id)) found.add(id);
      }
    }
    cursor = body.response_metadata?.next_cursor;
    if (body.has_more !== true || cursor === undefined || cursor === '') break;
  }
  return found;
}

async function getSlackJson(
  options: SlackDeliverOptions,
  method: string,
  signal: AbortSignal,
): Promise<z.infer<typeof repliesSchema>> {
  const secrets = [options.config.bot_token];
  const url = `${options.config.api_base_url.replace(/\/+$/, '')}/${method}`;
  let response: Response;
  let text: string;
  try {
    response = await options.fetch(url, {
      headers: { authorization: `Bearer ${options.config.bot_token}` },
      signal: AbortSignal.any([signal, AbortSignal.timeout(DEFAULT_API_TIMEOUT_MS)]),
    });
    text = await response.text();
  } catch (error) {
    throw new DeliveryError(
      redactSecrets(`Slack conversations.replies failed: ${String(error)}`, secrets),
      { retryable: true },
    );
  }
  const parsed = repliesSchema.safeParse(parseJson(text));
  if (response.ok && parsed.success && parsed.data.ok) return parsed.data;
  const error = parsed.success ? parsed.data.error : undefined;
  throw new DeliveryError(
    `Slack conversations.replies failed with HTTP ${response.status}${error ? ` (${error})` : ''}`,
    {
      // Without the thread we cannot tell; a missing scope or a deleted thread will not heal.
      retryable: isRetryablePlatformStatus(response.status) || error === 'ratelimited',
      status: response.status,
    },
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // An HTML error page from a proxy: judged by status.
    return undefined;
  }
}
