import { randomUUID } from 'node:crypto';
import type { Authenticate } from '../../auth/authenticate.js';
import { hasTokenParam } from '../../auth/bearer.js';
import { SCOPE_OPENAI } from '../../auth/scopes.js';
import type { InboundMessage, Principal } from '../../core/types.js';
import { GatewayError, isGatewayError } from '../../errors.js';
import { parseIdempotencyKey } from '../../limits/idempotency.js';
import type { ChannelAdapter, ChannelRequest, ParseResult } from '../types.js';
import { parseChatCompletionRequest } from './chat-request.js';
import type { ChatCompletionRequest } from './chat-request.js';

/**
 * The OpenAI-compatible API as a channel adapter: `Authorization: Bearer <paired token | JWT
 * with channels:openai>`, and a Chat Completions body as one message whose prior turns the client
 * sends itself (stateless, as OpenAI's API is). Replies go back in the HTTP response.
 */
export function createOpenAiAdapter(options: { authenticator: Authenticate }): ChannelAdapter {
  return {
    name: 'openai',
    async verify(request) {
      if (hasTokenParam(Object.keys(request.query)))
        return { ok: false, code: 'AUTH_TOKEN_IN_URL' };
      try {
        const principal = await options.authenticator(request.headers.authorization, SCOPE_OPENAI);
        return { ok: true, principal };
      } catch (error) {
        if (isGatewayError(error)) return { ok: false, code: error.code };
        throw error;
      }
    },
    parse(request, principal) {
      if (principal === undefined)
        throw new Error('the openai channel parses verified requests only');
      return toParseResult(request, principal, parseChatCompletionRequest(request.rawBody));
    },
  };
}

/** The dispatch inputs of a parsed Chat Completions request. */
export function toParseResult(
  request: ChannelRequest,
  principal: Principal,
  chat: ChatCompletionRequest,
): ParseResult & { messages: [InboundMessage] } {
  const idempotencyKey = parseIdempotencyKey(idempotencyHeader(request));
  const requestId = randomUUID();
  return {
    messages: [
      {
        channel: 'openai',
        senderId: principal.id,
        conversationId: `openai:${principal.id}:${requestId}`,
        text: chat.text,
        messageId: requestId,
        replyTarget: 'http',
        receivedAt: request.receivedAt,
      },
    ],
    dropped: 0,
    turn: {
      freshConversation: true,
      conversation: chat.conversation,
      generation: {
        ...(chat.maxTokens === undefined ? {} : { maxTokens: chat.maxTokens }),
        ...(chat.temperature === undefined ? {} : { temperature: chat.temperature }),
      },
      ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
    },
  };
}

/** `Idempotency-Key` (OpenAI SDKs) or `X-Idempotency-Key` (the rest of the gateway); one of them, once. */
function idempotencyHeader(request: ChannelRequest): string | undefined {
  const names = ['idempotency-key', 'x-idempotency-key'];
  const present = names.filter((name) => request.headers[name] !== undefined);
  if (present.length > 1 || names.some((name) => request.repeatedHeaders?.has(name))) {
    throw new GatewayError('INVALID_HEADER', {
      message: 'Send one Idempotency-Key header',
      extra: { param: 'Idempotency-Key' },
    });
  }
  const [name] = present;
  return name === undefined ? undefined : request.headers[name];
}
