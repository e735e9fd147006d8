import type { ChatUsage } from '../../providers/types.js';

/** OpenAI's `usage` object. */
export interface UsageObject {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/**
 * Token usage: the upstream's count when it reported one; otherwise an estimate (about four
 * characters per token), since a streamed reply carries no count through the provider port.
 */
export function usageObject(
  usage: ChatUsage | undefined,
  promptChars: number,
  completionChars: number,
): UsageObject {
  const prompt = usage?.inputTokens ?? Math.ceil(promptChars / 4);
  const completion = usage?.outputTokens ?? Math.ceil(completionChars / 4);
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
  };
}

/** Identity shared by every object of one completion. */
export interface CompletionIdentity {
  id: string;
  created: number;
  model: string;
}

/** A non-streamed `chat.completion`. */
export function completionObject(identity: CompletionIdentity, text: string, usage: UsageObject) {
  return {
    ...identity,
    object: 'chat.completion',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: text, refusal: null },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage,
  };
}

/** One `chat.completion.chunk` with a delta (or the final one with `finish_reason`). */
export function chunkObject(
  identity: CompletionIdentity,
  delta: { role?: 'assistant'; content?: string },
  finishReason: 'stop' | null,
) {
  return {
    ...identity,
    object: 'chat.completion.chunk',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  };
}

/**
 * Encodes content chunks of one completion as `JSON.stringify(chunkObject(identity, { content },
 * null))` does, with everything around the content serialized once: a streamed reply sends one
 * per delta. Made once the identity is final (the agent that answers is known).
 */
export function contentChunkEncoder(identity: CompletionIdentity): (content: string) => string {
  const placeholder = JSON.stringify(chunkObject(identity, { content: '' }, null));
  // The only `"content":""` in it: the identity's strings are escaped, so theirs cannot close early.
  const at = placeholder.lastIndexOf('"content":""') + '"content":'.length;
  const before = placeholder.slice(0, at);
  const after = placeholder.slice(at + 2);
  return (content) => before + JSON.stringify(content) + after;
}

/** The usage chunk sent last when `stream_options.include_usage` is set (no choices). */
export function usageChunkObject(identity: CompletionIdentity, usage: UsageObject) {
  return { ...identity, object: 'chat.completion.chunk', choices: [], usage };
}
