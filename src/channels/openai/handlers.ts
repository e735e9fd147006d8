import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AgentSpec, Dispatch, DispatchResult, Principal } from '../../core/types.js';
import { GatewayError, isGatewayError } from '../../errors.js';
import { toOpenAiError } from '../../http/openai-error.js';
import { requireAllowedOrigin } from '../../http/request-origin.js';
import type { RateLimiter } from '../../limits/types.js';
import type { ChannelInstance, ChannelServices } from '../module.js';
import { openSse } from '../sse-writer.js';
import type { ChannelAdapter, ChannelRequest } from '../types.js';
import { toChannelRequest } from '../webhook-handlers.js';
import { createOpenAiAdapter, toParseResult } from './adapter.js';
import { parseChatCompletionRequest } from './chat-request.js';
import type { ChatCompletionRequest } from './chat-request.js';
import type { CompletionIdentity } from './completion-objects.js';
import {
  chunkObject,
  completionObject,
  contentChunkEncoder,
  usageChunkObject,
  usageObject,
} from './completion-objects.js';

interface CompletionContext {
  adapter: ChannelAdapter;
  limiter: RateLimiter;
  dispatch: Dispatch;
  /** The configured agents now: a reload may add or remove models. */
  agents(): readonly AgentSpec[];
}

/** `GET /v1/models` and `POST /v1/chat/completions`, each agent being a model. */
export function openaiHandlers(services: ChannelServices): ChannelInstance {
  const adapter = createOpenAiAdapter({ authenticator: services.authenticator });
  const context: CompletionContext = {
    adapter,
    limiter: services.limiter('openai', (current) => current.gateway.webhook_rate_limit_per_minute),
    dispatch: services.dispatch,
    agents: services.agents,
  };
  const created = Math.floor(Date.now() / 1000);
  const preHandler = requireAllowedOrigin(services.origins);
  return {
    adapter,
    handlers: {
      models: {
        preHandler,
        handler: async function listModels(request) {
          await verify(adapter, toChannelRequest(request));
          const data = services.agents().map((agent) => ({
            id: agent.name,
            object: 'model',
            created,
            owned_by: 'gatehouse',
          }));
          return { object: 'list', data };
        },
      },
      'chat-completions': {
        preHandler,
        handler: async function createChatCompletion(request, reply) {
          return completeChat(context, request, reply);
        },
      },
    },
  };
}

async function verify(adapter: ChannelAdapter, request: ChannelRequest): Promise<Principal> {
  const verified = await adapter.verify(request);
  if (!verified.ok) throw new GatewayError(verified.code);
  if (verified.principal === undefined) throw new GatewayError('INTERNAL');
  return verified.principal;
}

async function completeChat(
  context: CompletionContext,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<unknown> {
  const decision = await context.limiter.hit(request.clientKey);
  if (!decision.allowed) {
    throw new GatewayError('RATE_LIMITED', { extra: { retry_after: decision.retryAfterSecs } });
  }
  // One adapter view of the request for both verify and parse.
  const channelRequest = toChannelRequest(request);
  const principal = await verify(context.adapter, channelRequest);
  const chat = parseChatCompletionRequest(request.rawBody);
  if (!context.agents().some((agent) => agent.name === chat.model)) {
    throw new GatewayError('MODEL_NOT_FOUND', {
      message: `The model "${chat.model.slice(0, 64)}" does not exist; GET /v1/models lists the agents`,
      extra: { param: 'model' },
    });
  }
  const parsed = toParseResult(channelRequest, principal, chat);
  const identity: CompletionIdentity = {
    id: `chatcmpl-${randomUUID()}`,
    created: Math.floor(Date.now() / 1000),
    model: chat.model,
  };
  const promptChars = chat.conversation.reduce(
    (sum, m) => sum + m.content.length,
    chat.text.length,
  );
  const turn = {
    message: parsed.messages[0],
    principal,
    ...parsed.turn,
    // The model names the agent; a matching routing rule still wins, and every object of the
    // answer then names the agent that really answered (set before any chunk is sent).
    agent: chat.model,
    onRouted: (agent: string) => {
      identity.model = agent;
    },
    // A client disconnect aborts the upstream call: this API is stateless, nothing resumes.
    signal: request.workSignal,
  };
  if (!chat.stream) {
    const result = await context.dispatch(turn);
    const usage = usageObject(result.usage, promptChars, result.response.length);
    return reply.send(completionObject(identity, result.response, usage));
  }
  return streamChat({ context, reply, chat, identity, promptChars, turn });
}

interface StreamChatOptions {
  context: CompletionContext;
  reply: FastifyReply;
  chat: ChatCompletionRequest;
  identity: CompletionIdentity;
  promptChars: number;
  turn: Parameters<Dispatch>[0];
}

/**
 * Streams `chat.completion.chunk` events. The event stream opens with the first delta, so a turn
 * that fails before it answers with a normal HTTP error (and the SDK raises its typed error); a
 * failure after it is sent in-stream as `{"error": …}` without `[DONE]`.
 */
async function streamChat(options: StreamChatOptions): Promise<void> {
  const { reply, identity, chat } = options;
  let sse: ReturnType<typeof openSse> | undefined;
  let contentChunk: ((content: string) => string) | undefined;
  const open = (): ReturnType<typeof openSse> => {
    if (sse === undefined) {
      sse = openSse(reply, { heartbeatMs: 0 });
      sse.send(JSON.stringify(chunkObject(identity, { role: 'assistant', content: '' }, null)));
    }
    return sse;
  };
  // The identity is final once the turn is routed, which is before its first delta.
  const sendContent = (content: string): void => {
    contentChunk ??= contentChunkEncoder(identity);
    open().send(contentChunk(content));
  };
  let result: DispatchResult;
  try {
    result = await options.context.dispatch({
      ...options.turn,
      onDelta: sendContent,
    });
  } catch (error) {
    if (sse === undefined) throw error;
    const gatewayError = isGatewayError(error) ? error : new GatewayError('INTERNAL');
    sse.send(JSON.stringify(toOpenAiError(gatewayError).body));
    sse.end();
    return;
  }
  const stream = open();
  // A replayed answer (same idempotency key) was never streamed: send it as one delta.
  if (result.duplicate) sendContent(result.response);
  stream.send(JSON.stringify(chunkObject(identity, {}, 'stop')));
  if (chat.includeUsage) {
    const usage = usageObject(result.usage, options.promptChars, result.response.length);
    stream.send(JSON.stringify(usageChunkObject(identity, usage)));
  }
  stream.send('[DONE]');
  stream.end();
}
