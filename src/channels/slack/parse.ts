import * as z from 'zod';
import type { SlackConfig } from '../../config/schema.js';
import type { InboundMessage } from '../../core/types.js';
import { isSenderAllowed } from '../allowlist.js';
import { readJsonPayload } from '../payload.js';
import type { ChannelRequest, ParseResult } from '../types.js';
import { formatSlackReplyTarget } from './reply-target.js';

const envelopeSchema = z.object({
  type: z.string(),
  challenge: z.string().optional(),
  event_id: z.string().optional(),
  event: z.unknown().optional(),
  authorizations: z.array(z.object({ user_id: z.string().optional() })).optional(),
});

const eventSchema = z.object({
  type: z.string(),
  user: z.string().optional(),
  text: z.string().optional(),
  channel: z.string().optional(),
  channel_type: z.string().optional(),
  ts: z.string().optional(),
  thread_ts: z.string().optional(),
  bot_id: z.string().optional(),
  subtype: z.string().optional(),
});

export interface SlackParseOptions {
  config: SlackConfig;
  /** The bot's own user id when known up front; otherwise taken from `authorizations[0]`. */
  botUserId?: string;
}

/** Turns a verified Slack Events API request into messages or a url_verification answer. */
export function parseSlackPayload(
  options: SlackParseOptions,
  request: ChannelRequest,
): ParseResult {
  const envelope = readJsonPayload(request.rawBody, envelopeSchema);
  if (envelope.type === 'url_verification') {
    if (envelope.challenge === undefined) return { messages: [], dropped: 0 };
    return {
      messages: [],
      dropped: 0,
      response: {
        status: 200,
        contentType: 'application/json',
        body: JSON.stringify({ challenge: envelope.challenge }),
      },
    };
  }
  if (envelope.type !== 'event_callback' || envelope.event_id === undefined) {
    return { messages: [], dropped: 0 };
  }
  const event = eventSchema.safeParse(envelope.event);
  if (!event.success) return { messages: [], dropped: 0 };
  const { user, channel, ts } = event.data;
  const botUserId = options.botUserId ?? envelope.authorizations?.[0]?.user_id;
  const isDirectMessage = event.data.type === 'message' && event.data.channel_type === 'im';
  const isMention = event.data.type === 'app_mention';
  // Bot messages (ours included) carry bot_id or a subtype; answering them would loop forever.
  if (!isDirectMessage && !isMention) return { messages: [], dropped: 0 };
  if (event.data.bot_id !== undefined || event.data.subtype !== undefined) {
    return { messages: [], dropped: 0 };
  }
  if (!user || !channel || !ts || user === botUserId) return { messages: [], dropped: 0 };
  const text = stripMention(event.data.text ?? '', botUserId);
  if (text.length === 0) return { messages: [], dropped: 0 };
  if (!isSenderAllowed(options.config.allowed_users, user)) return { messages: [], dropped: 1 };
  const threadTs = event.data.thread_ts ?? ts;
  const message: InboundMessage = {
    channel: 'slack',
    senderId: user,
    // A DM is one running conversation unless the user opened a thread; a mention is its thread.
    conversationId:
      isDirectMessage && event.data.thread_ts === undefined
        ? `slack:${channel}`
        : `slack:${channel}:${threadTs}`,
    text,
    messageId: envelope.event_id,
    replyTarget: formatSlackReplyTarget({ channel, threadTs }),
    receivedAt: request.receivedAt,
  };
  return { messages: [message], dropped: 0 };
}

/** Removes `<@BOT>` (or, with the bot unknown, a leading mention) from a mention's text. */
function stripMention(text: string, botUserId: string | undefined): string {
  if (botUserId !== undefined) {
    return text
      .split(new RegExp(`<@${escapeRegExp(botUserId)}(?:\\|[^>]*)?>`, 'g'))
      .join('')
      .trim();
  }
  return text.replace(/^\s*<@[A-Z0-9]+(?:\|[^>]*)?>/, '').trim();
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
