import { z } from 'zod';
import { isCidr } from '../http/cidr.js';
import { pipelineSchema } from './pipeline-schema.js';

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

/** Largest delay a Node timer honours (2^31 − 1 ms); longer delays fire after 1 ms instead. */
export const MAX_TIMER_MS = 2_147_483_647;
/** The same bound in whole seconds. */
export const MAX_TIMER_SECS = Math.floor(MAX_TIMER_MS / 1000);
// Every duration key is bounded so a setTimeout built from it fires when it says it will.
const durationSecs = positiveInt.max(MAX_TIMER_SECS);
const durationMs = positiveInt.max(MAX_TIMER_MS);
const httpUrl = z.url({ protocol: /^https?$/ });
/** An IPv4 or IPv6 network in CIDR notation; a bare address means a single host. */
const cidr = z.string().refine(isCidr, 'an IPv4 or IPv6 CIDR such as "10.0.0.0/8" or "::1/128"');
/** A host name or IP literal as it appears in a Host header, without scheme or port. */
const hostName = z
  .string()
  .regex(
    /^(\[[0-9a-f:.]+\]|[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*)$/i,
    'a host name or IP literal without scheme or port, such as "agent.example.com"',
  );

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
        'Shorthand for trusted_proxies = ["127.0.0.0/8", "::1/128"]: a proxy on this machine sets the client address',
      ),
    trusted_proxies: z
      .array(cidr)
      .default([])
      .describe(
        'CIDRs of reverse proxies whose X-Forwarded-For / Forwarded / X-Real-IP are believed (right-most untrusted hop)',
      ),
    public_url: httpUrl
      .optional()
      .describe(
        'Address users reach the gateway at (https://agent.example.com); its origin and host are allowed',
      ),
    allowed_hosts: z
      .array(hostName)
      .default([])
      .describe('Extra Host header names answered (421 HOST_NOT_ALLOWED for any other)'),
    max_connections: positiveInt
      .default(1024)
      .describe('Open sockets at most; further connections are closed at once'),
    max_connections_per_client: positiveInt
      .default(64)
      .describe(
        'Open sockets per peer address (trusted proxies exempt); further ones closed at once',
      ),
    max_requests_per_client: positiveInt
      .default(32)
      .describe('Requests per client address being received or handled at once (429 beyond)'),
    body_timeout_secs: durationSecs
      .default(10)
      .describe('Time to receive a whole request, body included (408, socket closed)'),
    pair_rate_limit_per_minute: nonNegativeInt
      .default(0)
      .describe('Requests per minute per client on /pair (0 = unlimited)'),
    webhook_rate_limit_per_minute: nonNegativeInt
      .default(0)
      .describe('Requests per minute per client on /webhook (0 = unlimited)'),
    rate_limit_max_keys: positiveInt
      .default(10000)
      .describe('Most client keys each rate limiter tracks (least recently used evicted)'),
    idempotency_ttl_secs: durationSecs
      .default(300)
      .describe('How long an X-Idempotency-Key is remembered'),
    idempotency_max_keys: positiveInt
      .default(10000)
      .describe('Most idempotency keys remembered (least recently used evicted)'),
    request_timeout_secs: durationSecs
      .default(30)
      .describe('Per-request timeout; aborts the agent call (408)'),
    max_body_bytes: positiveInt
      .default(65536)
      .describe('Largest accepted request body in bytes (413)'),
    shutdown_timeout_secs: durationSecs
      .default(10)
      .describe('On SIGINT/SIGTERM, how long in-flight requests may finish before exit'),
    instance_id: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/, 'letters, digits, "_", ".", ":" or "-"')
      .optional()
      .describe(
        'Name of this instance in /health, logs, metrics and `sessions list` (default hostname-pid)',
      ),
    auth: gatewayAuthSchema,
  })
  .prefault({});

const tunnelBinary = z
  .string()
  .min(1)
  .optional()
  .describe('Executable to run (default: looked up on PATH)');

const tunnelSchema = z
  .object({
    provider: z
      .enum(['none', 'cloudflare', 'tailscale', 'ngrok', 'custom'])
      .default('none')
      .describe(
        'Tunnel started and supervised by the gateway; anything but "none" permits a public bind',
      ),
    start_timeout_secs: durationSecs
      .default(30)
      .describe('How long to wait for the tunnel to report its public URL'),
    cloudflare: z
      .object({
        binary: tunnelBinary,
        token: secret
          .optional()
          .describe(
            'Named-tunnel token (env GATEHOUSE_CLOUDFLARE_TUNNEL_TOKEN); unset = quick tunnel',
          ),
        url: httpUrl.optional().describe('Public URL of the named tunnel (required with token)'),
      })
      .prefault({}),
    tailscale: z
      .object({
        binary: tunnelBinary,
        funnel: z
          .boolean()
          .default(true)
          .describe(
            'Run `tailscale funnel` (internet) when true, `tailscale serve` (tailnet) when false',
          ),
      })
      .prefault({}),
    ngrok: z
      .object({
        binary: tunnelBinary,
        auth_token: secret.optional().describe('ngrok auth token (env GATEHOUSE_NGROK_AUTH_TOKEN)'),
      })
      .prefault({}),
    custom: z
      .object({
        binary: tunnelBinary,
        command: z
          .string()
          .min(1)
          .optional()
          .describe('argv string run without a shell; {host} and {port} are replaced'),
        url_pattern: z
          .string()
          .min(1)
          .optional()
          .describe('Regex finding the public URL in the output (first group, or whole match)'),
      })
      .prefault({}),
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

const stateSchema = z
  .object({
    backend: z
      .enum(['embedded', 'redis'])
      .default('embedded')
      .describe(
        'Shared state (limits, idempotency, pairing, tokens, revocations, tickets): "embedded" (this process + SQLite) or "redis" (shared by several instances)',
      ),
    url: z
      .url({ protocol: /^rediss?$/ })
      .default('redis://127.0.0.1:6379')
      .describe('Redis URL for backend = "redis" (env GATEHOUSE_REDIS_URL)'),
    key_prefix: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[^\s*?[\]\\]+$/, 'no spaces or glob characters')
      .default('gatehouse:')
      .describe('Prefix of every Redis key the gateway writes, so deployments can share a Redis'),
  })
  .prefault({});

const memorySchema = z
  .object({
    backend: z
      .enum(['sqlite', 'postgres', 'none'])
      .default('sqlite')
      .describe('Conversation store: "sqlite", "postgres" (shared by several instances) or "none"'),
    url: z
      .url({ protocol: /^postgres(ql)?$/ })
      .optional()
      .describe(
        'PostgreSQL URL for backend = "postgres", e.g. postgres://user@127.0.0.1:5432/gatehouse (env GATEHOUSE_POSTGRES_URL)',
      ),
    auto_save: z.boolean().default(true).describe('Store each inbound message and reply'),
    path: z.string().min(1).optional().describe('SQLite file (default $GATEHOUSE_HOME/memory.db)'),
    // Compared with timestamps, never used as a timer: bounded by sense (100 years), not 2^31 ms.
    retention_days: nonNegativeInt
      .max(36500)
      .default(0)
      .describe('Conversation entries older than this many days are deleted (0 = keep)'),
    max_messages_per_conversation: nonNegativeInt
      .default(0)
      .describe('Keep only the newest this many entries of each conversation (0 = unlimited)'),
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
    access_log: z
      .boolean()
      .default(false)
      .describe(
        'One info line per request: method, route, status, duration, client, request id (never tokens or bodies)',
      ),
  })
  .prefault({});

const runtimeSchema = z
  .object({
    heartbeat_interval_secs: durationSecs.default(60).describe('Heartbeat tick interval'),
    sweep_interval_secs: durationSecs
      .default(300)
      .describe('How often the scheduler sweeps expired state'),
  })
  .prefault({});

const lowercaseName = z.string().regex(/^[a-z][a-z0-9_-]*$/, 'lowercase name');

const namedAgentSchema = z.object({
  provider: z
    .string()
    .min(1)
    .optional()
    .describe('Provider section this agent calls (default: default_provider)'),
  model: z
    .string()
    .min(1)
    .optional()
    .describe(
      "Model (default: default_model when the provider is the default agent's, else the provider's own default)",
    ),
  system_prompt: z.string().optional().describe('System prompt (default: agent.system_prompt)'),
  temperature: z
    .number()
    .min(0)
    .max(2)
    .optional()
    .describe('Sampling temperature 0 to 2 (default: default_temperature)'),
  max_tokens: positiveInt.optional().describe('Reply token bound (default: agent.max_tokens)'),
  history_window: nonNegativeInt
    .optional()
    .describe('Earlier messages the agent receives (default: agent.history_window)'),
});

/** Channel names a routing rule may name; `openai` is the OpenAI-compatible /v1 API. */
export const ROUTABLE_CHANNELS = ['api', 'web', 'whatsapp', 'slack', 'telegram', 'openai'] as const;
const routableChannel = z.enum(ROUTABLE_CHANNELS);

const routingRuleSchema = z.strictObject({
  agent: lowercaseName.describe('Agent that answers when this rule matches'),
  channel: z
    .union([routableChannel, z.array(routableChannel).min(1)])
    .optional()
    .describe('One channel name or a list'),
  sender: z
    .array(z.string().min(1))
    .min(1)
    .optional()
    .describe('Glob patterns (* and ?) on the sender id or principal subject'),
  scope: z.string().min(1).optional().describe('Scope the credential must carry'),
  text: z
    .string()
    .min(1)
    .refine(isValidRegex, 'expected a valid regular expression')
    .optional()
    .describe('Regular expression (case-insensitive) on the message text'),
});

const routingSchema = z
  .object({
    rules: z
      .array(routingRuleSchema)
      .default([])
      .describe(
        'Routing rules (TOML [[routing.rules]] tables), first match wins: agent plus any of channel, sender, scope, text',
      ),
  })
  .prefault({});

function isValidRegex(source: string): boolean {
  try {
    new RegExp(source, 'i');
    return true;
  } catch {
    // SyntaxError: the pattern does not compile; the config error names the rule index.
    return false;
  }
}

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
  timeout_secs: durationSecs.default(120).describe('Whole-call timeout for one LLM request'),
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
  on_unknown_outcome: z
    .enum(['resend', 'skip'])
    .default('resend')
    .describe(
      'A reply part whose send outcome a crash left unknown: "resend" (at-least-once) or "skip" (at-most-once, recorded as unknown)',
    ),
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
  on_unknown_outcome: z
    .enum(['resend', 'skip'])
    .default('resend')
    .describe(
      'A reply part whose send outcome a crash left unknown: "resend" (at-least-once) or "skip" (at-most-once, recorded as unknown)',
    ),
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
    retry_base_ms: durationMs.default(500).describe('First retry delay; doubles each attempt'),
    retry_max_ms: durationMs.default(30000).describe('Longest retry delay'),
    lease_secs: durationSecs
      .default(30)
      .describe(
        'How long a claimed message stays with its worker without a renewal; a dead owner’s messages are claimed again after this',
      ),
    max_age_secs: durationSecs
      .default(3600)
      .describe(
        'A message older than this when its turn comes is not answered: it becomes a dead letter (expired)',
      ),
    retention_secs: durationSecs
      .default(604800)
      .describe(
        'Done and dead messages older than this are deleted (they also deduplicate redeliveries)',
      ),
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
  state: stateSchema,
  memory: memorySchema,
  observability: observabilitySchema,
  runtime: runtimeSchema,
  inbox: inboxSchema,
  pipeline: pipelineSchema,
  agents: z
    .record(lowercaseName, namedAgentSchema)
    .default({})
    .describe('One [agents.<name>] section per extra agent; unset keys inherit from the default'),
  routing: routingSchema,
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
export type TunnelConfig = Config['tunnel'];
export type StateConfig = Config['state'];
export type MemoryConfig = Config['memory'];
export type NamedAgentConfig = z.infer<typeof namedAgentSchema>;
export type RoutingRuleConfig = z.infer<typeof routingRuleSchema>;

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
  'token',
  'auth_token',
  // Connection URLs may carry a password (redis://:pw@host, postgres://user:pw@host).
  'url',
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
  { env: 'GATEHOUSE_CLOUDFLARE_TUNNEL_TOKEN', path: ['tunnel', 'cloudflare', 'token'] },
  { env: 'GATEHOUSE_NGROK_AUTH_TOKEN', path: ['tunnel', 'ngrok', 'auth_token'] },
  { env: 'GATEHOUSE_REDIS_URL', path: ['state', 'url'] },
  { env: 'GATEHOUSE_POSTGRES_URL', path: ['memory', 'url'] },
];
