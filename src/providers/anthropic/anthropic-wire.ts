import * as z from 'zod';
import type { ChatRequest } from '../types.js';

/*
 * Messages API wire shapes (https://docs.anthropic.com/en/api/messages and
 * https://docs.anthropic.com/en/api/messages-streaming). Only the fields we read are declared.
 */

/** A non-streaming `message` response. */
export const messageSchema = z.object({
  content: z.array(z.object({ type: z.string(), text: z.string().optional() })),
  usage: z
    .object({
      input_tokens: z.number().int().nonnegative(),
      output_tokens: z.number().int().nonnegative(),
    })
    .nullish(),
});

/** The stream events we act on; every other `type` (ping, content_block_stop…) is ignored. */
export const streamEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('content_block_delta'),
    delta: z.object({ type: z.string(), text: z.string().optional() }),
  }),
  z.object({ type: z.literal('message_stop') }),
  z.object({
    type: z.literal('error'),
    error: z.object({ type: z.string().optional(), message: z.string().optional() }),
  }),
]);

const tokenCounts = z.object({
  input_tokens: z.number().int().nonnegative().optional(),
  output_tokens: z.number().int().nonnegative().optional(),
});

/** Token counts in `message_start` (`message.usage`) and `message_delta` (`usage`) events. */
export const streamUsageSchema = z.object({
  type: z.enum(['message_start', 'message_delta']),
  message: z.object({ usage: tokenCounts.nullish() }).optional(),
  usage: tokenCounts.nullish(),
});

/** Anthropic's sampling range is 0–1, narrower than the gateway's 0–2. */
const MAX_TEMPERATURE = 1;

/**
 * The JSON body of a Messages request. System messages move to the top-level `system` field:
 * the API accepts only `user` and `assistant` turns in `messages`.
 */
export function buildAnthropicBody(request: ChatRequest, model: string, stream: boolean) {
  const system = request.messages
    .filter((message) => message.role === 'system')
    .map((message) => message.content)
    .join('\n\n');
  return {
    model,
    max_tokens: request.maxTokens,
    ...(system ? { system } : {}),
    messages: request.messages
      .filter((message) => message.role !== 'system')
      .map(({ role, content }) => ({ role, content })),
    temperature: Math.min(request.temperature, MAX_TEMPERATURE),
    stream,
  };
}
