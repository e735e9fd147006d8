export { createTelegramAdapter, type TelegramAdapterOptions } from './adapter.js';
export { TELEGRAM_MAX_TEXT } from './deliver.js';
export { TELEGRAM_OFFSET_CURSOR, type CursorStore, type PollStatusListener } from './poll.js';
export {
  formatTelegramReplyTarget,
  parseTelegramReplyTarget,
  type TelegramReplyTarget,
} from './reply-target.js';
