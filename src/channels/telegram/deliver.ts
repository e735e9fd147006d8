import { splitText } from '../split-text.js';
import { DeliveryError, type OutboundReply } from '../types.js';
import { callTelegramApi, type TelegramApiOptions } from './api.js';
import { parseTelegramReplyTarget } from './reply-target.js';

/** Telegram's limit on a message text. */
export const TELEGRAM_MAX_TEXT = 4096;

/** Sends a reply with `sendMessage`, answering the original message, split over 4096 characters. */
export async function deliverTelegramReply(
  options: TelegramApiOptions,
  reply: OutboundReply,
  signal: AbortSignal,
): Promise<void> {
  const target = parseTelegramReplyTarget(reply.message.replyTarget);
  if (!target) {
    throw new DeliveryError('Telegram reply target is malformed', { retryable: false });
  }
  for (const part of splitText(reply.text, TELEGRAM_MAX_TEXT)) {
    await callTelegramApi(
      options,
      'sendMessage',
      {
        chat_id: target.chatId,
        text: part,
        // Still answer when the user deleted the original in the meantime.
        reply_parameters: { message_id: target.messageId, allow_sending_without_reply: true },
      },
      signal,
    );
  }
}
