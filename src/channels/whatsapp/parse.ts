import * as z from 'zod';
import type { WhatsAppConfig } from '../../config/schema.js';
import type { InboundMessage } from '../../core/types.js';
import { isSenderAllowed } from '../allowlist.js';
import { readJsonPayload } from '../payload.js';
import type { ChannelRequest, ParseResult } from '../types.js';

// Meta adds fields over time; unknown keys are stripped rather than rejected so a new field
// never turns every webhook into a 400 (which Meta would retry for days).
const changeValueSchema = z.object({
  metadata: z.object({ phone_number_id: z.string() }).optional(),
  messages: z.array(z.unknown()).optional(),
});

const webhookSchema = z.object({
  object: z.string().optional(),
  entry: z.array(
    z.object({
      changes: z.array(z.object({ field: z.string().optional(), value: z.unknown() })).default([]),
    }),
  ),
});

const textMessageSchema = z.object({
  from: z.string(),
  id: z.string().min(1),
  type: z.literal('text'),
  text: z.object({ body: z.string() }),
});

const WA_ID = /^[1-9]\d{1,14}$/;

/** Turns a verified WhatsApp Cloud API webhook into messages: every entry, change and message. */
export function parseWhatsAppPayload(config: WhatsAppConfig, request: ChannelRequest): ParseResult {
  const payload = readJsonPayload(request.rawBody, webhookSchema);
  const messages: InboundMessage[] = [];
  let dropped = 0;
  for (const entry of payload.entry) {
    for (const change of entry.changes) {
      const value = changeValueSchema.safeParse(change.value);
      if (!value.success || !value.data.messages) continue;
      // A Business account can own several numbers; only answer the one we send from.
      const target = value.data.metadata?.phone_number_id;
      if (target !== undefined && target !== config.phone_number_id) continue;
      for (const raw of value.data.messages) {
        // Statuses, media, reactions and malformed entries are acknowledged and ignored.
        const message = textMessageSchema.safeParse(raw);
        if (!message.success) continue;
        const from = message.data.from.replace(/^\+/, '');
        if (!WA_ID.test(from)) continue;
        const senderId = `+${from}`;
        if (!isSenderAllowed(config.allowed_numbers, senderId)) {
          dropped += 1;
          continue;
        }
        messages.push({
          channel: 'whatsapp',
          senderId,
          conversationId: `whatsapp:${from}`,
          text: message.data.text.body,
          messageId: message.data.id,
          replyTarget: from,
          receivedAt: request.receivedAt,
        });
      }
    }
  }
  return { messages, dropped };
}
