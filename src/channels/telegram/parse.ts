import * as z from 'zod';
import type { TelegramConfig } from '../../config/schema.js';
import type { InboundMessage } from '../../core/types.js';
import { isSenderAllowed } from '../allowlist.js';
import { readJsonPayload } from '../payload.js';
import type { ChannelRequest, ParseResult } from '../types.js';
import { formatTelegramReplyTarget } from './reply-target.js';

/** One Bot API Update; only the fields the gateway uses are kept. */
export const updateSchema = z.object({
  update_id: z.number().int().nonnegative(),
  message: z.unknown().optional(),
});

export type TelegramUpdate = z.infer<typeof updateSchema>;

const messageSchema = z.object({
  message_id: z.number().int(),
  from: z.object({ id: z.number().int(), is_bot: z.boolean().optional() }).optional(),
  chat: z.object({ id: z.number().int() }),
  text: z.string().optional(),
});

/** Turns updates into messages; the allowlist is on the numeric `from.id`, never the username. */
export function messagesFromUpdates(
  config: TelegramConfig,
  updates: ReadonlyArray<TelegramUpdate>,
  receivedAt: number,
): ParseResult {
  const messages: InboundMessage[] = [];
  let dropped = 0;
  for (const update of updates) {
    const parsed = messageSchema.safeParse(update.message);
    // Edits, channel posts, stickers and service messages are acknowledged and ignored.
    if (!parsed.success || parsed.data.text === undefined || !parsed.data.from) continue;
    const { from, chat, text, message_id: messageId } = parsed.data;
    if (from.is_bot === true) continue;
    if (!isSenderAllowed(config.allowed_users, from.id)) {
      dropped += 1;
      continue;
    }
    messages.push({
      channel: 'telegram',
      senderId: String(from.id),
      conversationId: `telegram:${chat.id}`,
      text,
      messageId: String(update.update_id),
      replyTarget: formatTelegramReplyTarget({ chatId: chat.id, messageId }),
      receivedAt,
    });
  }
  return { messages, dropped };
}

/** Parses a verified webhook POST (one Update per request). */
export function parseTelegramWebhook(config: TelegramConfig, request: ChannelRequest): ParseResult {
  const update = readJsonPayload(request.rawBody, updateSchema);
  return messagesFromUpdates(config, [update], request.receivedAt);
}
