import { createHmac } from 'node:crypto';
import type { ChannelRequest } from '../channels/types.js';

/** `X-Hub-Signature-256` value for `body` signed with a Meta app secret. */
export function signMeta(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** `X-Slack-Signature` value for `body` at epoch-seconds `ts`. */
export function signSlack(body: string, secret: string, ts: number): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`;
}

/** Builds a ChannelRequest as the HTTP layer would hand it to an adapter. */
export function channelRequest(options: {
  method?: string;
  body?: string;
  headers?: Record<string, string | undefined>;
  query?: Record<string, string | undefined>;
  receivedAt?: number;
}): ChannelRequest {
  return {
    method: options.method ?? 'POST',
    headers: options.headers ?? {},
    rawBody: Buffer.from(options.body ?? ''),
    query: options.query ?? {},
    receivedAt: options.receivedAt ?? Date.now(),
  };
}

/** One WhatsApp text message in a webhook. */
export interface WhatsAppTextSpec {
  from: string;
  id: string;
  text: string;
}

/**
 * A WhatsApp Cloud API webhook: one entry per inner array, one change per entry, carrying those
 * text messages (plus a delivery status, which the adapter must ignore).
 */
export function whatsappWebhook(
  entries: WhatsAppTextSpec[][],
  phoneNumberId = '123456789',
): Record<string, unknown> {
  return {
    object: 'whatsapp_business_account',
    entry: entries.map((messages, index) => ({
      id: `WABA${index}`,
      changes: [
        {
          field: 'messages',
          value: {
            messaging_product: 'whatsapp',
            metadata: { display_phone_number: '15550001111', phone_number_id: phoneNumberId },
            contacts: messages.map((m) => ({ profile: { name: 'Test' }, wa_id: m.from })),
            messages: messages.map((m) => ({
              from: m.from,
              id: m.id,
              timestamp: '1700000000',
              type: 'text',
              text: { body: m.text },
            })),
            statuses: [
              {
                id: 'wamid.status',
                status: 'delivered',
                timestamp: '1700000000',
                recipient_id: '1',
              },
            ],
          },
        },
      ],
    })),
  };
}

/** A Slack `event_callback` envelope. */
export function slackEventCallback(options: {
  eventId: string;
  user: string;
  text: string;
  channel?: string;
  ts?: string;
  threadTs?: string;
  type?: 'message' | 'app_mention';
  channelType?: string;
  botUserId?: string;
  botId?: string;
  subtype?: string;
}): Record<string, unknown> {
  const type = options.type ?? 'message';
  return {
    token: 'legacy-verification-token',
    team_id: 'T0001',
    api_app_id: 'A0001',
    type: 'event_callback',
    event_id: options.eventId,
    event_time: 1_700_000_000,
    authorizations: [{ team_id: 'T0001', user_id: options.botUserId ?? 'UBOT', is_bot: true }],
    event: {
      type,
      user: options.user,
      text: options.text,
      channel: options.channel ?? 'D0001',
      channel_type: options.channelType ?? (type === 'message' ? 'im' : 'channel'),
      ts: options.ts ?? '1700000000.000100',
      ...(options.threadTs === undefined ? {} : { thread_ts: options.threadTs }),
      ...(options.botId === undefined ? {} : { bot_id: options.botId }),
      ...(options.subtype === undefined ? {} : { subtype: options.subtype }),
    },
  };
}

/** A Telegram Update carrying a private text message. */
export function telegramUpdate(options: {
  updateId: number;
  fromId: number;
  text: string;
  chatId?: number;
  messageId?: number;
  username?: string;
}): { update_id: number } & Record<string, unknown> {
  return {
    update_id: options.updateId,
    message: {
      message_id: options.messageId ?? options.updateId + 500,
      date: 1_700_000_000,
      from: {
        id: options.fromId,
        is_bot: false,
        first_name: 'Test',
        username: options.username ?? 'tester',
      },
      chat: { id: options.chatId ?? options.fromId, type: 'private' },
      text: options.text,
    },
  };
}
