import { telegramHtmlToPlain } from '../../core/format/telegram-plain.js';
import { DeliveryError, type OutboundReply } from '../types.js';
import { callTelegramApi, type TelegramApiOptions } from './api.js';
import { parseTelegramReplyTarget } from './reply-target.js';

/** Telegram's limit on a message text. */
export const TELEGRAM_MAX_TEXT = 4096;

/** Sends one reply part with `sendMessage` as HTML, answering the original message. */
export async function deliverTelegramReply(
  options: TelegramApiOptions,
  reply: OutboundReply,
  signal: AbortSignal,
): Promise<void> {
  const target = parseTelegramReplyTarget(reply.message.replyTarget);
  if (!target) {
    throw new DeliveryError('Telegram reply target is malformed', { retryable: false });
  }
  // One stored part, already Telegram HTML: the inbox split and formatted it (`adapter.split`).
  const part = { text: reply.text, plain: telegramHtmlToPlain(reply.text) };
  const message = {
    chat_id: target.chatId,
    // Still answer when the user deleted the original in the meantime.
    reply_parameters: { message_id: target.messageId, allow_sending_without_reply: true },
  };
  try {
    await callTelegramApi(
      options,
      'sendMessage',
      { ...message, text: part.text, parse_mode: 'HTML' },
      signal,
    );
  } catch (error) {
    if (!isParseError(error)) throw error;
    // Once, as plain text: a reply Telegram cannot parse must still reach the user.
    await callTelegramApi(options, 'sendMessage', { ...message, text: part.plain }, signal);
  }
}

/** Telegram's 400 for text its parse_mode cannot read ("can't parse entities"). */
function isParseError(error: unknown): boolean {
  return (
    error instanceof DeliveryError &&
    error.status === 400 &&
    /can't parse entities/i.test(error.message)
  );
}
