import { sseFrame } from './fake-llm-types.js';
import type { FakeLlmError, FakeWire } from './fake-llm-types.js';

const ID = 'msg_01FakeMessage0001';

/** Anthropic's documented error type per status. */
function defaultError(status: number): { type: string; message: string } {
  switch (status) {
    case 401:
      return { type: 'authentication_error', message: 'invalid x-api-key' };
    case 403:
      return { type: 'permission_error', message: 'Your API key does not have permission.' };
    case 404:
      return { type: 'not_found_error', message: 'The requested resource was not found.' };
    case 413:
      return { type: 'request_too_large', message: 'Request exceeds the maximum allowed size.' };
    case 429:
      return { type: 'rate_limit_error', message: 'Number of requests has exceeded your limit.' };
    case 529:
      return { type: 'overloaded_error', message: 'Overloaded' };
    default:
      return status >= 500
        ? { type: 'api_error', message: 'Internal server error' }
        : { type: 'invalid_request_error', message: 'Invalid request.' };
  }
}

function event(type: string, data: object): string {
  return sseFrame({ type, ...data }, type);
}

/** The Messages API wire format: JSON messages and named SSE events ending in message_stop. */
export const anthropicWire: FakeWire = {
  endpoint: '/v1/messages',
  basePath: '',
  replyBody: (reply) => ({
    id: ID,
    type: 'message',
    role: 'assistant',
    model: reply.model,
    content: [{ type: 'text', text: reply.text }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: reply.usage.inputTokens, output_tokens: reply.usage.outputTokens },
  }),
  errorBody: (error: FakeLlmError) => {
    const fallback = defaultError(error.status);
    return {
      type: 'error',
      error: { type: error.type ?? fallback.type, message: error.message ?? fallback.message },
    };
  },
  streamOpen: (reply) => [
    event('message_start', {
      message: {
        id: ID,
        type: 'message',
        role: 'assistant',
        content: [],
        model: reply.model,
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: reply.usage.inputTokens, output_tokens: 1 },
      },
    }),
    event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    event('ping', {}),
  ],
  streamDelta: (_reply, text) =>
    event('content_block_delta', { index: 0, delta: { type: 'text_delta', text } }),
  streamClose: (reply) => [
    event('content_block_stop', { index: 0 }),
    event('message_delta', {
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: reply.usage.outputTokens },
    }),
  ],
  streamTerminator: () => event('message_stop', {}),
  streamError: (error) =>
    event('error', { error: { type: error.type ?? 'overloaded_error', message: error.message } }),
};
