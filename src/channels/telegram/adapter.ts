import type { TelegramConfig } from '../../config/schema.js';
import { proxiedFetch } from '../../http/proxied-fetch.js';
import type { DeliveringChannelAdapter } from '../types.js';
import { formatReply } from '../../core/format/format-reply.js';
import { deliverTelegramReply, TELEGRAM_MAX_TEXT } from './deliver.js';
import { parseTelegramWebhook } from './parse.js';
import { pollTelegramUpdates, type CursorStore, type PollStatusListener } from './poll.js';
import { verifyTelegramRequest } from './verify.js';

export interface TelegramAdapterOptions {
  config: TelegramConfig;
  fetch?: typeof fetch;
  /** Required in polling mode: where the getUpdates offset is persisted. */
  cursors?: CursorStore;
  onPollStatus?: PollStatusListener;
  pollBackoffBaseMs?: number;
  pollBackoffMaxMs?: number;
}

/**
 * The Telegram Bot API channel. Webhook mode takes POST /telegram; polling mode has `poll` and
 * takes no webhooks (Telegram refuses getUpdates while a webhook is set, so it is one or the other).
 */
export function createTelegramAdapter(options: TelegramAdapterOptions): DeliveringChannelAdapter {
  const { config } = options;
  const api = { config, fetch: options.fetch ?? proxiedFetch };
  const adapter: DeliveringChannelAdapter = {
    name: 'telegram',
    verify: (request) => verifyTelegramRequest(config, request),
    parse: (request) => parseTelegramWebhook(config, request),
    deliver: (reply, signal) => deliverTelegramReply(api, reply, signal),
    // Parts are stored as sent: the channel's format, never cut inside a block or an entity.
    split: (text) => formatReply('telegram', text, TELEGRAM_MAX_TEXT).map((part) => part.text),
    // The Bot API offers no way to ask whether a message was sent: the operator chooses.
    unknownOutcome: config.on_unknown_outcome,
  };
  if (config.mode === 'polling') {
    const cursors = options.cursors;
    if (!cursors) throw new Error('Telegram polling mode needs a cursor store for the offset');
    const pollOptions = {
      ...api,
      cursors,
      onStatus: options.onPollStatus,
      backoffBaseMs: options.pollBackoffBaseMs,
      backoffMaxMs: options.pollBackoffMaxMs,
    };
    adapter.poll = (sink, signal) => pollTelegramUpdates(pollOptions, sink, signal);
  }
  return adapter;
}
