import * as z from 'zod';
import { positiveInt, secret, durationSecs, httpUrl } from './schema-values.js';

export const webhookChannelSchema = z.object({
  secret: secret
    .optional()
    .describe('Require X-Webhook-Secret on /webhook (env GATEHOUSE_WEBHOOK_SECRET)'),
});

export const whatsappChannelSchema = z.object({
  access_token: secret.describe('Meta access token (env GATEHOUSE_WHATSAPP_ACCESS_TOKEN)'),
  phone_number_id: z.string().min(1).describe('WhatsApp Business phone number id'),
  verify_token: secret
    .optional()
    .describe(
      'Token you chose for GET /whatsapp verification (env GATEHOUSE_WHATSAPP_VERIFY_TOKEN)',
    ),
  app_secret: secret
    .optional()
    .describe(
      'App secret for X-Hub-Signature-256; unset = every POST refused (env GATEHOUSE_WHATSAPP_APP_SECRET)',
    ),
  allowed_numbers: z
    .array(z.string().regex(/^(\*|\+[1-9]\d{1,14})$/, 'E.164 number like "+15551234567" or "*"'))
    .default([])
    .describe('E.164 senders allowed; ["*"] = everyone, empty = nobody'),
  api_base_url: httpUrl.default('https://graph.facebook.com').describe('Graph API root'),
  api_version: z
    .string()
    .regex(/^v\d+\.\d+$/, 'like "v21.0"')
    .default('v21.0')
    .describe('Graph API version'),
  on_unknown_outcome: z
    .enum(['resend', 'skip'])
    .default('resend')
    .describe(
      'A reply part whose send outcome a crash left unknown: "resend" (at-least-once) or "skip" (at-most-once, recorded as unknown)',
    ),
});

export const slackChannelSchema = z.object({
  bot_token: secret.describe('Bot token for chat.postMessage (env GATEHOUSE_SLACK_BOT_TOKEN)'),
  signing_secret: secret
    .optional()
    .describe(
      'Signing secret for X-Slack-Signature; unset = every event refused (env GATEHOUSE_SLACK_SIGNING_SECRET)',
    ),
  allowed_users: z
    .array(z.string().min(1))
    .default([])
    .describe('Slack user ids allowed; ["*"] = everyone, empty = nobody'),
  api_base_url: httpUrl.default('https://slack.com/api').describe('Slack Web API root'),
});

export const telegramChannelSchema = z.object({
  bot_token: secret.describe('Bot token (env GATEHOUSE_TELEGRAM_BOT_TOKEN)'),
  secret_token: secret
    .optional()
    .describe(
      'X-Telegram-Bot-Api-Secret-Token for webhook mode; unset = every update refused (env GATEHOUSE_TELEGRAM_SECRET_TOKEN)',
    ),
  allowed_users: z
    .array(z.union([z.number().int().positive(), z.literal('*')]))
    .default([])
    .describe('Numeric Telegram user ids allowed; ["*"] = everyone, empty = nobody'),
  mode: z
    .enum(['webhook', 'polling'])
    .default('webhook')
    .describe('"webhook" (POST /telegram) or "polling" (getUpdates)'),
  poll_timeout_secs: positiveInt.max(50).default(30).describe('Long-poll timeout for getUpdates'),
  api_base_url: httpUrl.default('https://api.telegram.org').describe('Bot API root'),
  on_unknown_outcome: z
    .enum(['resend', 'skip'])
    .default('resend')
    .describe(
      'A reply part whose send outcome a crash left unknown: "resend" (at-least-once) or "skip" (at-most-once, recorded as unknown)',
    ),
});

export const webChannelSchema = z
  .object({
    allowed_origins: z
      .array(z.url())
      .default([])
      .describe(
        "Browser origins allowed to use /ws, /pair and /webhook (exact match; the gateway's own origin is always allowed)",
      ),
    max_pending_per_client: positiveInt
      .default(32)
      .describe(
        'Connections per peer IP that have not yet sent a complete request or finished authenticating',
      ),
    handshake_timeout_secs: durationSecs.default(10).describe('Time a socket has to authenticate'),
    heartbeat_interval_secs: durationSecs
      .default(30)
      .describe('Ping interval; two missed pongs close the socket'),
    idle_timeout_secs: durationSecs
      .default(300)
      .describe('Close a session after this long without messages (code 4000)'),
    max_frame_bytes: positiveInt
      .default(65536)
      .describe('Largest frame accepted from an authenticated client'),
    max_buffered_bytes: positiveInt
      .default(1048576)
      .describe('Send buffer bound; a slower consumer is disconnected'),
    resume_grace_secs: durationSecs
      .default(60)
      .describe(
        'How long a streamed reply keeps running after its client dropped (WebSocket, SSE on /webhook), waiting for a resume',
      ),
  })
  .prefault({});

export const openaiChannelSchema = z
  .object({
    enabled: z
      .boolean()
      .default(true)
      .describe('Serve the OpenAI-compatible API (GET /v1/models, POST /v1/chat/completions)'),
  })
  .prefault({});

export const channelsSchema = z
  .object({
    webhook: webhookChannelSchema.prefault({}),
    whatsapp: whatsappChannelSchema.optional(),
    slack: slackChannelSchema.optional(),
    telegram: telegramChannelSchema.optional(),
    web: webChannelSchema,
    openai: openaiChannelSchema,
  })
  .prefault({});
