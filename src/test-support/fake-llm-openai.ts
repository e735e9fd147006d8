import { sseFrame } from './fake-llm-types.js';
import type { FakeLlmError, FakeReply, FakeWire } from './fake-llm-types.js';

const CREATED = 1_700_000_000;
const ID = 'chatcmpl-fake0001';

/** Realistic OpenAI error type/code/message per status. */
function defaultError(status: number): { type: string; code: string | null; message: string } {
  if (status === 401) {
    return {
      type: 'invalid_request_error',
      code: 'invalid_api_key',
      message: 'Incorrect API key provided. You can find your API key at the dashboard.',
    };
  }
  if (status === 404) {
    return {
      type: 'invalid_request_error',
      code: 'model_not_found',
      message: 'The model does not exist or you do not have access to it.',
    };
  }
  if (status === 429) {
    return {
      type: 'requests',
      code: 'rate_limit_exceeded',
      message: 'Rate limit reached for requests. Please try again in 20ms.',
    };
  }
  if (status >= 500) {
    return { type: 'server_error', code: null, message: 'The server had an error.' };
  }
  return { type: 'invalid_request_error', code: null, message: 'Invalid request.' };
}

function chunk(model: string, delta: object, finishReason: string | null): object {
  return {
    id: ID,
    object: 'chat.completion.chunk',
    created: CREATED,
    model,
    system_fingerprint: 'fp_fake',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  };
}

function usageOf(reply: FakeReply): object {
  return {
    prompt_tokens: reply.usage.inputTokens,
    completion_tokens: reply.usage.outputTokens,
    total_tokens: reply.usage.inputTokens + reply.usage.outputTokens,
  };
}

/** The Chat Completions wire format: JSON replies, `data:` chunks and `data: [DONE]`. */
export const openAiWire: FakeWire = {
  endpoint: '/v1/chat/completions',
  basePath: '/v1',
  replyBody: (reply) => ({
    id: ID,
    object: 'chat.completion',
    created: CREATED,
    model: reply.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: reply.text, refusal: null },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: usageOf(reply),
    system_fingerprint: 'fp_fake',
  }),
  errorBody: (error: FakeLlmError) => {
    const fallback = defaultError(error.status);
    return {
      error: {
        message: error.message ?? fallback.message,
        type: error.type ?? fallback.type,
        param: null,
        code: error.code ?? fallback.code,
      },
    };
  },
  streamOpen: (reply) => [sseFrame(chunk(reply.model, { role: 'assistant', content: '' }, null))],
  streamDelta: (reply, text) => sseFrame(chunk(reply.model, { content: text }, null)),
  streamClose: (reply) => [
    sseFrame(chunk(reply.model, {}, 'stop')),
    ...(reply.includeUsage
      ? [sseFrame({ ...chunk(reply.model, {}, null), choices: [], usage: usageOf(reply) })]
      : []),
  ],
  streamTerminator: () => sseFrame('[DONE]'),
  // OpenRouter and other gateways send this after a 200 when the upstream fails mid-stream.
  streamError: (error) =>
    sseFrame({ error: { message: error.message, type: error.type ?? 'server_error', code: 502 } }),
};
