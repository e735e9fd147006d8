/** Where a Telegram reply goes: the chat and the message it answers. */
export interface TelegramReplyTarget {
  chatId: number;
  messageId: number;
}

/** Encodes as `chatId:messageId`; group chat ids are negative, so parsing splits at the last ':'. */
export function formatTelegramReplyTarget(target: TelegramReplyTarget): string {
  return `${target.chatId}:${target.messageId}`;
}

/** Reverses `formatTelegramReplyTarget`; undefined when the value is malformed. */
export function parseTelegramReplyTarget(value: string): TelegramReplyTarget | undefined {
  const match = /^(-?\d+):(\d+)$/.exec(value);
  if (!match?.[1] || !match[2]) return undefined;
  const chatId = Number(match[1]);
  const messageId = Number(match[2]);
  if (!Number.isSafeInteger(chatId) || !Number.isSafeInteger(messageId)) return undefined;
  return { chatId, messageId };
}
