import { z } from 'zod';

/*
 * The single source of truth for configuration: keys, types, defaults and the documentation that
 * the commented template, `config check` and the README reference are generated from.
 * Objects use `.prefault({})` so nested defaults apply when a whole section is absent (zod 4's
 * `.default()` would short-circuit and skip them).
 */

const port = z.number().int().min(0).max(65535);
const positiveInt = z.number().int().min(1);
const nonNegativeInt = z.number().int().min(0);
const secret = z.string().min(1);
const httpUrl = z.url({ protocol: /^https?$/ });

const gatewayAuthSchema = z
  .object({
    jwt_secret: secret
      .optional()
      .describe(
        'HS256 secret for scoped JWTs, at least 32 bytes (env GATEHOUSE_JWT_SECRET). Generated into $GATEHOUSE_HOME/jwt.secret when unset',
      ),
    jwt_issuer: z.string().min(1).default('gatehouse').describe('`iss` claim issued and required'),
    jwt_audience: z
      .string()
      .min(1)
      .default('gatehouse')
      .describe('`aud` claim issued and required'),
  })
  .prefault({});

const gatewaySchema = z
  .object({
    port: port.default(3000).describe('Listening port (0 = any free port)'),
    host: z
      .string()
      .min(1)
      .default('127.0.0.1')
      .describe('Bind address; loopback unless a tunnel is active or allow_public_bind = true'),
    require_pairing: z
      .boolean()
      .default(true)
      .describe('Require a paired bearer token (or JWT) on /webhook'),
    allow_public_bind: z
      .boolean()
      .default(false)
      .describe('Allow a non-loopback host without a tunnel (NOT recommended)'),
    paired_tokens: z
      .array(z.string().min(1))
      .default([])
      .describe('SHA-256 hashes of paired bearer tokens (managed by /pair and `gatehouse tokens`)'),
    trust_forwarded_headers: z
      .boolean()
      .default(false)
      .describe(
        'Derive the client key from X-Forwarded-For / X-Real-IP (only behind a trusted proxy)',
      ),
    pair_rate_limit_per_minute: nonNegativeInt
      .default(0)
      .describe('Requests per minute per client on /pair (0 = unlimited)'),
    webhook_rate_limit_per_minute: nonNegativeInt
      .default(0)
      .describe('Requests per minute per client on /webhook (0 = unlimited)'),
    rate_limit_max_keys: positiveInt
      .default(10000)
      .describe('Most client keys each rate limiter tracks (least recently used evicted)'),
    idempotency_ttl_secs: positiveInt
      .default(300)
      .describe('How long an X-Idempotency-Key is remembered'),
    idempotency_max_keys: positiveInt
      .default(10000)
      .describe('Most idempotency keys remembered (least recently used evicted)'),
    request_timeout_secs: positiveInt
      .default(30)
      .describe('Per-request timeout; aborts the agent call (408)'),
    max_body_bytes: positiveInt
      .default(65536)
      .describe('Largest accepted request body in bytes (413)'),
    shutdown_timeout_secs: positiveInt
      .default(10)
      .describe('On SIGINT/SIGTERM, how long in-flight requests may finish before exit'),
    auth: gatewayAuthSchema,
  })
  .prefault({});

const tunnelSchema = z
  .object({
    provider: z
      .enum(['none', 'cloudflare', 'tailscale', 'ngrok', 'custom'])
      .default('none')
      .describe(
        'Tunnel that exposes the gateway publicly; anything but "none" permits a public bind',
      ),
  })
  .prefault({});

const agentSchema = z
  .object({
    system_prompt: z
      .string()
      .default('You are a helpful assistant.')
      .describe('System prompt sent to the provider on every turn'),
    history_window: nonNegativeInt
      .default(20)
      .describe('How many earlier messages of the session the agent receives'),
    max_tokens: positiveInt
      .default(1024)
      .describe('Upper bound on reply tokens requested from the provider'),
  })
  .prefault({});

const memorySchema = z
  .object({
    backend: z
      .enum(['sqlite', 'none'])
      .default('sqlite')
      .describe('Conversation store: "sqlite" or "none"'),
    auto_save: z.boolean().default(true).describe('Store each inbound message and reply'),
    path: z.string().min(1).optional().describe('SQLite file (default $GATEHOUSE_HOME/memory.db)'),
  })
  .prefault({});

const observabilitySchema = z
  .object({
    backend: z
      .enum(['prometheus', 'log', 'none'])
      .default('prometheus')
      .describe(
        '"prometheus" serves /metrics; "log" writes events to the log; "none" disables both',
      ),
    log_level: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info')
      .describe('Minimum log level'),
  })
  .prefault({});

const runtimeSchema = z
  .object({
    heartbeat_interval_secs: positiveInt.default(60).describe('Heartbeat tick interval'),
    sweep_interval_secs: positiveInt
      .default(300)
      .describe('How often the scheduler sweeps expired state'),
  })
  .prefault({});

const stageName = z.enum(['idempotency', 'memory', 'audit']);

const pipelineSchema = z
  .object({
    inbound: z
      .array(stageName)
      .default(['idempotency', 'memory'])
      .describe('Stages run before the agent, in order: "idempotency", "memory", "audit"'),
    outbound: z
      .array(stageName)
      .default([])
      .describe('Stages run around the agent step on the way out'),
  })
  .prefault({});

const providerSchema = z.object({
  type: z
    .enum(['echo', 'openai', 'anthropic'])
    .optional()
    .describe('Wire protocol; defaults to the section name when that is echo, openai or anthropic'),
  base_url: httpUrl
    .optional()
    .describe(
      'API root as the official SDKs take it (https://api.openai.com/v1, https://api.anthropic.com)',
    ),
  api_key: secret.optional().describe('API key (env GATEHOUSE_<NAME>_API_KEY)'),
  timeout_secs: positiveInt.default(120).describe('Whole-call timeout for one LLM request'),
  anthropic_version: z
    .string()
    .min(1)
    .default('2023-06-01')
    .describe('anthropic-version header (anthropic only)'),
});

const webhookChannelSchema = z.object({
  secret: secret
    .optional()
    .describe('Require X-Webhook-Secret on /webhook (env GATEHOUSE_WEBHOOK_SECRET)'),
});

const whatsappChannelSchema = z.object({
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
});

const slackChannelSchema = z.object({
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

const telegramChannelSchema = z.object({
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
});

const webChannelSchema = z
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
    handshake_timeout_secs: positiveInt.default(10).describe('Time a socket has to authenticate'),
    heartbeat_interval_secs: positiveInt
      .default(30)
      .describe('Ping interval; two missed pongs close the socket'),
    idle_timeout_secs: positiveInt
      .default(300)
      .describe('Close a session after this long without messages (code 4000)'),
    max_frame_bytes: positiveInt
      .default(65536)
      .describe('Largest frame accepted from an authenticated client'),
    max_buffered_bytes: positiveInt
      .default(1048576)
      .describe('Send buffer bound; a slower consumer is disconnected'),
    resume_grace_secs: positiveInt
      .default(60)
      .describe(
        'How long a streamed reply keeps running after its client dropped (WebSocket, SSE on /webhook), waiting for a resume',
      ),
  })
  .prefault({});

const openaiChannelSchema = z
  .object({
    enabled: z
      .boolean()
      .default(true)
      .describe('Serve the OpenAI-compatible API (GET /v1/models, POST /v1/chat/completions)'),
  })
  .prefault({});

const inboxSchema = z
  .object({
    path: z.string().min(1).optional().describe('SQLite file (default $GATEHOUSE_HOME/inbox.db)'),
    concurrency: positiveInt
      .default(4)
      .describe('Messages processed at once (one at a time per conversation)'),
    max_attempts: positiveInt
      .default(5)
      .describe('Delivery attempts before a message finally fails'),
    retry_base_ms: positiveInt.default(500).describe('First retry delay; doubles each attempt'),
    retry_max_ms: positiveInt.default(30000).describe('Longest retry delay'),
  })
  .prefault({});

const channelsSchema = z
  .object({
    webhook: webhookChannelSchema.prefault({}),
    whatsapp: whatsappChannelSchema.optional(),
    slack: slackChannelSchema.optional(),
    telegram: telegramChannelSchema.optional(),
    web: webChannelSchema,
    openai: openaiChannelSchema,
  })
  .prefault({});

export const configSchema = z.object({
  default_provider: z.string().min(1).default('echo').describe('Provider of the default agent'),
  default_model: z
    .string()
    .min(1)
    .optional()
    .describe("Model of the default agent (default: the provider's own default)"),
  default_temperature: z
    .number()
    .min(0)
    .max(2)
    .default(0.7)
    .describe('Sampling temperature, 0 to 2'),
  gateway: gatewaySchema,
  tunnel: tunnelSchema,
  agent: agentSchema,
  memory: memorySchema,
  observability: observabilitySchema,
  runtime: runtimeSchema,
  inbox: inboxSchema,
  pipeline: pipelineSchema,
  providers: z
    .record(z.string().regex(/^[a-z][a-z0-9_-]*$/, 'lowercase name'), providerSchema)
    .default({})
    .describe('One [providers.<name>] section per LLM endpoint'),
  channels_config: channelsSchema,
});

/** The validated configuration with every default applied. */
export type Config = z.infer<typeof configSchema>;
export type GatewayConfig = Config['gateway'];
export type ProviderConfig = z.infer<typeof providerSchema>;
export type WhatsAppConfig = z.infer<typeof whatsappChannelSchema>;
export type SlackConfig = z.infer<typeof slackChannelSchema>;
export type TelegramConfig = z.infer<typeof telegramChannelSchema>;
export type WebChannelConfig = Config['channels_config']['web'];
export type InboxConfig = Config['inbox'];

/** Keys whose values are secrets: masked by `config check`, redacted from logs. */
export const SECRET_KEYS: ReadonlySet<string> = new Set([
  'secret',
  'app_secret',
  'access_token',
  'verify_token',
  'signing_secret',
  'bot_token',
  'secret_token',
  'api_key',
  'jwt_secret',
  'paired_tokens',
]);

/** Environment variables that provide secrets; the environment wins over the file. */
export const SECRET_ENV: ReadonlyArray<{ env: string; path: readonly string[] }> = [
  { env: 'GATEHOUSE_WEBHOOK_SECRET', path: ['channels_config', 'webhook', 'secret'] },
  { env: 'GATEHOUSE_WHATSAPP_APP_SECRET', path: ['channels_config', 'whatsapp', 'app_secret'] },
  { env: 'GATEHOUSE_WHATSAPP_ACCESS_TOKEN', path: ['channels_config', 'whatsapp', 'access_token'] },
  { env: 'GATEHOUSE_WHATSAPP_VERIFY_TOKEN', path: ['channels_config', 'whatsapp', 'verify_token'] },
  { env: 'GATEHOUSE_SLACK_SIGNING_SECRET', path: ['channels_config', 'slack', 'signing_secret'] },
  { env: 'GATEHOUSE_SLACK_BOT_TOKEN', path: ['channels_config', 'slack', 'bot_token'] },
  { env: 'GATEHOUSE_TELEGRAM_BOT_TOKEN', path: ['channels_config', 'telegram', 'bot_token'] },
  { env: 'GATEHOUSE_TELEGRAM_SECRET_TOKEN', path: ['channels_config', 'telegram', 'secret_token'] },
  { env: 'GATEHOUSE_JWT_SECRET', path: ['gateway', 'auth', 'jwt_secret'] },
];
