import * as z from 'zod';
import type { WhatsAppConfig } from '../../config/schema.js';
import { isRetryablePlatformStatus, postJson } from '../post-json.js';
import { parseRetryAfter } from '../retry-after.js';
import { DeliveryError, type OutboundReply } from '../types.js';

/** WhatsApp's limit on a text message body. */
export const WHATSAPP_MAX_TEXT = 4096;

// Cloud API error codes that mean "slow down" although the HTTP status is 400.
const THROTTLE_CODES: ReadonlySet<number> = new Set([4, 80007, 130429, 131056]);

const graphErrorSchema = z.object({
  error: z.object({ code: z.number().optional(), message: z.string().optional() }),
});

export interface WhatsAppDeliverOptions {
  config: WhatsAppConfig;
  fetch: typeof fetch;
}

/** Sends one reply part with the Graph API `messages` endpoint. */
export async function deliverWhatsAppReply(
  options: WhatsAppDeliverOptions,
  reply: OutboundReply,
  signal: AbortSignal,
): Promise<void> {
  const { config } = options;
  const url = `${config.api_base_url.replace(/\/+$/, '')}/${config.api_version}/${encodeURIComponent(config.phone_number_id)}/messages`;
  // One stored part: the inbox split and formatted the reply (`adapter.split`).
  const part = reply.text;
  const response = await postJson({
    fetch: options.fetch,
    url,
    headers: { authorization: `Bearer ${config.access_token}` },
    body: {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: reply.message.replyTarget,
      type: 'text',
      text: { preview_url: false, body: part },
    },
    signal,
    secrets: [config.access_token],
  });
  if (response.status >= 200 && response.status < 300) return;
  const graph = graphErrorSchema.safeParse(response.body);
  const code = graph.success ? graph.data.error.code : undefined;
  const throttled = code !== undefined && THROTTLE_CODES.has(code);
  throw new DeliveryError(
    `WhatsApp send failed with HTTP ${response.status}${code === undefined ? '' : ` (error ${code})`}`,
    {
      retryable: throttled || isRetryablePlatformStatus(response.status),
      retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), Date.now()),
      status: response.status,
    },
  );
}
