import * as z from 'zod';
import { pipelineSchema } from './pipeline-schema.js';
import {
  positiveInt,
  nonNegativeInt,
  secret,
  durationSecs,
  durationMs,
  httpUrl,
  lowercaseName,
} from './schema-values.js';
import { gatewaySchema, tunnelSchema } from './schema-gateway.js';
import { channelsSchema } from './schema-channels.js';
import type {
  slackChannelSchema,
  telegramChannelSchema,
  whatsappChannelSchema,
} from './schema-channels.js';

/*
 * The single source of truth for configuration: keys, types, defaults and the documentation that
 * the commented template, `config check` and the docs reference are generated from. The gateway
 * and tunnel sections live in schema-gateway.ts, the channel sections in schema-channels.ts.
 * Objects use `.prefault({})` so nested defaults apply when a whole section is absent (zod 4's
 * `.default()` would short-circuit and skip them).
 */

export { MAX_TIMER_MS, MAX_TIMER_SECS } from './schema-values.js';

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

const inboxSchema = z
  .object({
    backend: z
      .enum(['sqlite', 'redis'])
      .default('sqlite')
      .describe(
        'Channel message queue: "sqlite" (this process) or "redis" (shared by several instances; uses [state] url and key_prefix, needs state.backend = "redis")',
      ),
    path: z
      .string()
      .min(1)
      .optional()
      .describe('SQLite file for backend = "sqlite" (default $GATEHOUSE_HOME/inbox.db)'),
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
        'How long a claimed message (and, with the Redis inbox, Telegram polling leadership) stays owned without a renewal; a dead owner’s messages are claimed again after this',
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
