import { GatewayError } from '../../errors.js';
import { compileBlockPatterns, replaceMatches } from '../filter/block-matcher.js';
import { createRedactingTransform } from '../filter/stream-filter.js';
import type { NamedStage, ReplyTransform, TurnContext } from '../types.js';

/** Replaces each blocked match under `action = "redact"`. */
export const REDACTED = '[redacted]';

/** Channels that answer inline (a rejection is an error response there, a reply elsewhere). */
const SYNC_CHANNELS: ReadonlySet<string> = new Set(['api', 'web', 'openai']);

export interface ContentFilterOptions {
  blockPatterns: readonly string[];
  action: 'reject' | 'redact' | 'flag';
  message: string;
  position: 'inbound' | 'outbound';
}

/** Flags left on the turn for the audit record. */
export interface ContentFlags {
  flagged?: boolean;
  blocked?: 'inbound' | 'outbound';
}

/** The content-policy marks of a turn (set by content_filter, read by audit). */
export function contentFlags(ctx: TurnContext): ContentFlags {
  return (ctx.marks ??= {});
}

/**
 * `content_filter`: inbound it checks the message before the agent (reject: the provider is never
 * called; redact: the agent sees `[redacted]`; flag: marked for audit). Outbound it transforms the
 * reply, streamed or not, through a hold-back transform, so no chunk ever carries text it would
 * remove; `reject` holds the whole reply and swaps it for the warning if anything matched.
 */
export function contentFilterStage(options: ContentFilterOptions): NamedStage {
  const matcher = compileBlockPatterns(options.blockPatterns);
  const { action, message, position } = options;
  if (position === 'inbound') {
    return {
      name: 'content_filter',
      run: async function filterInbound(ctx, next) {
        if (matcher === undefined) return next();
        const original = ctx.request.message;
        const { text, count } = replaceMatches(matcher, original.text, REDACTED);
        if (count === 0) return next();
        if (action === 'flag') {
          contentFlags(ctx).flagged = true;
          return next();
        }
        if (action === 'redact') {
          ctx.request = { ...ctx.request, message: { ...original, text } };
          return next();
        }
        contentFlags(ctx).blocked = 'inbound';
        if (SYNC_CHANNELS.has(original.channel)) {
          throw new GatewayError('CONTENT_BLOCKED', { message });
        }
        // Async channels cannot answer with a status: the warning is the reply.
        ctx.result = { response: message, model: ctx.agent.model, duplicate: false };
      },
    };
  }
  return {
    name: 'content_filter',
    run: (_ctx, next) => next(),
    transformReply(ctx): ReplyTransform | undefined {
      if (matcher === undefined) return undefined;
      if (action === 'redact' || action === 'flag') {
        const redacting = createRedactingTransform({
          matcher,
          replacement: REDACTED,
          onMatch: () => {
            contentFlags(ctx).flagged = true;
          },
        });
        if (action === 'redact') return redacting;
        // flag: the reply flows unchanged; the redacting transform only notices matches.
        return {
          write(delta) {
            redacting.write(delta);
            return delta;
          },
          end() {
            redacting.end();
            return '';
          },
        };
      }
      let held = '';
      return {
        write(delta) {
          held += delta;
          return '';
        },
        end() {
          if (replaceMatches(matcher, held, '').count === 0) return held;
          contentFlags(ctx).blocked = 'outbound';
          return message;
        },
      };
    },
  };
}
