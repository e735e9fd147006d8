import * as z from 'zod';
import type { ChatRequest, ChatUsage } from '../types.js';

/*
 * Chat Completions wire shapes (https://platform.openai.com/docs/api-reference/chat). Only the
 * fields we read are declared; unknown fields are stripped, because compatible servers (Ollama,
 * vLLM, OpenRouter) add their own.
 */

const usageSchema = z.object({
  prompt_tokens: z.number().int().nonnegative(),
  completion_tokens: z.number().int().nonnegative(),
});

/** A non-streaming `chat.completion` response. */
export const completionSchema = z.object({
  choices: z
    .array(z.object({ message: z.object({ content: z.string().nullish() }) }))
    .min(1, 'no choices'),
  usage: usageSchema.nullish(),
});

/** One `chat.completion.chunk` of a stream; OpenRouter may send `{"error":…}` instead. */
export const chunkSchema = z.object({
  choices: z
    .array(z.object({ delta: z.object({ content: z.string().nullish() }).nullish() }))
    .default([]),
  usage: usageSchema.nullish(),
});

/** The terminator line of an OpenAI stream. */
export const DONE_MARKER = '[DONE]';

/** The JSON body of a Chat Completions request. */
export function buildOpenAiBody(request: ChatRequest, model: string, stream: boolean) {
  return {
    model,
    messages: request.messages.map(({ role, content }) => ({ role, content })),
    temperature: request.temperature,
    max_tokens: request.maxTokens,
    stream,
    // Without this the final chunk carries no token usage.
    ...(stream ? { stream_options: { include_usage: true } } : {}),
  };
}

/** Maps the wire usage to the provider-neutral shape. */
export function toChatUsage(
  usage: z.infer<typeof usageSchema> | null | undefined,
): ChatUsage | undefined {
  if (!usage) return undefined;
  return { inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens };
}
