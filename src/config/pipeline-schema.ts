import * as z from 'zod';

/*
 * `[pipeline] inbound/outbound`: plain stage names (kept working) or `[[pipeline.inbound]]`
 * tables with a `name` and that stage's options. Tables are closed objects: a mistyped option
 * (`per_minut`) is an error naming the key, never an option silently left at its default.
 */

const positiveInt = z.number().int().min(1);

/** Stages configured by name alone (every option has a default). */
export const PLAIN_STAGE_NAMES = ['idempotency', 'memory', 'audit', 'content_filter'] as const;

/** Channels a stage's `channels` filter may name. */
const stageChannel = z.enum(['api', 'web', 'whatsapp', 'slack', 'telegram', 'openai']);

/** Whose messages a limit counts. */
export const LIMIT_KEYS = ['subject', 'sender', 'channel', 'client'] as const;

const limitKey = z
  .enum(LIMIT_KEYS)
  .default('subject')
  .describe(
    '"subject" (JWT sub, paired token, platform sender), "sender", "channel" or "client" (address)',
  );

const channelsFilter = z
  .array(stageChannel)
  .min(1)
  .optional()
  .describe('Apply only to these channels (default: all)');

/** A block pattern: a case-insensitive literal, or `/regex/flags`. */
const blockPattern = z
  .string()
  .min(1)
  .refine(isValidBlockPattern, 'expected a literal, or a /regex/flags that compiles');

const stageTables = [
  z.strictObject({ name: z.literal('idempotency') }),
  z.strictObject({ name: z.literal('memory') }),
  z.strictObject({
    name: z.literal('audit'),
    destination: z
      .string()
      .min(1)
      .default('log')
      .describe('A file path (created with its directory, mode 0600) or "log"'),
    include_token_claims: z
      .boolean()
      .default(false)
      .describe('Add sub, jti, scope, iss of the credential (never the token)'),
    include_message_body: z
      .boolean()
      .default(false)
      .describe('Add the message text (personal data)'),
  }),
  z.strictObject({
    name: z.literal('rate_limit'),
    per_minute: positiveInt.describe('Messages per key per sliding minute'),
    key: limitKey,
    channels: channelsFilter,
  }),
  z.strictObject({
    name: z.literal('budget'),
    tokens_per_day: positiveInt.describe(
      'Provider-reported tokens (input + output) per key per UTC day',
    ),
    key: limitKey,
    channels: channelsFilter,
  }),
  z.strictObject({
    name: z.literal('content_filter'),
    block_patterns: z
      .array(blockPattern)
      .default([])
      .describe('Case-insensitive literals, or "/regex/flags"'),
    action: z.enum(['reject', 'redact', 'flag']).default('reject').describe('What a match does'),
    message: z
      .string()
      .min(1)
      .default('This message was blocked by the content policy.')
      .describe('Warning text returned on reject'),
  }),
] as const;

const stageTable = z.discriminatedUnion('name', [...stageTables]);

/** One configured stage: a plain name or a table with options. */
export const stageEntrySchema = z.union([z.enum(PLAIN_STAGE_NAMES), stageTable]);

export type StageEntry = z.infer<typeof stageEntrySchema>;
export type StageTable = z.infer<typeof stageTable>;

/** The stage as a table with every default applied (a plain name becomes `{ name }`). */
export function normalizeStage(entry: StageEntry): StageTable {
  return typeof entry === 'string' ? stageTable.parse({ name: entry }) : entry;
}

/** Stages that decide before the agent runs; listed under `outbound` they could not. */
const INBOUND_ONLY = new Set(['idempotency', 'memory', 'rate_limit', 'budget']);

export const pipelineSchema = z
  .object({
    inbound: z
      .array(stageEntrySchema)
      .default(['idempotency', 'memory'])
      .describe(
        'Stages run before the agent, in order: names or [[pipeline.inbound]] tables (see docs/pipeline.md)',
      ),
    outbound: z
      .array(stageEntrySchema)
      .default([])
      .describe('Stages the reply passes on the way out (audit, content_filter)'),
  })
  .superRefine((pipeline, ctx) => {
    const names = [...pipeline.inbound, ...pipeline.outbound].map(
      (entry) => normalizeStage(entry).name,
    );
    if (names.filter((name) => name === 'audit').length > 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['outbound'],
        message: 'audit listed more than once (once records both directions)',
      });
    }
    for (const [index, entry] of pipeline.outbound.entries()) {
      const name = normalizeStage(entry).name;
      if (INBOUND_ONLY.has(name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['outbound', index],
          message: `"${name}" runs before the agent; list it under pipeline.inbound`,
        });
      }
    }
  })
  .prefault({});

/** Parses `/regex/flags` into a RegExp, or undefined for a literal pattern. */
export function parseRegexPattern(pattern: string): RegExp | undefined {
  const match = /^\/(.+)\/([a-z]*)$/s.exec(pattern);
  if (match === null) return undefined;
  const flags = new Set([...(match[2] ?? ''), 'i']);
  flags.delete('g');
  flags.delete('y');
  return new RegExp(match[1] ?? '', [...flags].join(''));
}

function isValidBlockPattern(pattern: string): boolean {
  try {
    parseRegexPattern(pattern);
    return true;
  } catch {
    // SyntaxError from a /regex/ that does not compile: reported as the key's config error.
    return false;
  }
}
