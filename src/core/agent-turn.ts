import { GatewayError } from '../errors.js';
import type { Observer } from '../observability/types.js';
import type {
  ChatMessage,
  ChatRequest,
  ChatResult,
  ChatUsage,
  Provider,
} from '../providers/types.js';
import { ProviderError } from '../providers/types.js';
import type { Stage, TurnContext } from './types.js';
import { linkAbort } from './linked-abort.js';
import type { CancelSignal } from './cancel-signal.js';

/** Longest streamed reply (UTF-16 code units, ~1 MiB of text) before the turn is stopped. */
export const MAX_STREAMED_REPLY_CHARS = 1024 * 1024;

export interface AgentTurnOptions {
  providers: ReadonlyMap<string, Provider>;
  observer: Observer;
  now?: () => number;
  /** Overrides MAX_STREAMED_REPLY_CHARS (tests). */
  maxReplyChars?: number;
}

/**
 * The terminal pipeline step: one call to the agent's provider, streaming when the caller asked for
 * deltas. Upstream detail never leaves this function except as a sanitized log/metric message.
 */
export function agentTurn(options: AgentTurnOptions): Stage {
  const { providers, observer } = options;
  const now = options.now ?? Date.now;
  const maxReplyChars = options.maxReplyChars ?? MAX_STREAMED_REPLY_CHARS;

  return async function runAgentTurn(ctx) {
    const { agent, request } = ctx;
    const provider = providers.get(agent.provider);
    if (provider === undefined) {
      throw new GatewayError('LLM_REQUEST_FAILED', {
        cause: new Error(`agent "${agent.name}" names unknown provider "${agent.provider}"`),
      });
    }
    const chatRequest = buildChatRequest(ctx);
    const started = now();
    observer.record({
      type: 'AgentStart',
      agent: agent.name,
      provider: provider.name,
      model: agent.model,
      channel: request.message.channel,
    });
    observer.record({
      type: 'LlmRequest',
      provider: provider.name,
      model: agent.model,
      messagesCount: chatRequest.messages.length,
    });

    let result: ChatResult;
    try {
      if (request.onDelta) {
        result = await streamTurn({
          provider,
          chatRequest,
          signal: request.signal,
          onDelta: (delta) => ctx.reply.write(delta),
          maxReplyChars,
        });
      } else {
        result = await provider.chat(chatRequest, request.signal);
        ctx.reply.write(result.text);
      }
    } catch (error) {
      const durationMs = now() - started;
      const message = describeFailure(error);
      observer.record({
        type: 'LlmResponse',
        provider: provider.name,
        model: agent.model,
        durationMs,
        success: false,
        errorMessage: message,
      });
      observer.record({ type: 'Error', component: 'provider', message });
      observer.record({
        type: 'AgentEnd',
        agent: agent.name,
        provider: provider.name,
        model: agent.model,
        durationMs,
      });
      throw toGatewayError(error, request.signal);
    }

    const durationMs = now() - started;
    observer.record({
      type: 'LlmResponse',
      provider: provider.name,
      model: result.model,
      durationMs,
      success: true,
      inputTokens: result.usage?.inputTokens,
      outputTokens: result.usage?.outputTokens,
    });
    observer.record({
      type: 'AgentEnd',
      agent: agent.name,
      provider: provider.name,
      model: result.model,
      durationMs,
      tokensUsed: result.usage ? result.usage.inputTokens + result.usage.outputTokens : undefined,
    });
    // The reply as the outbound transforms left it: what the channel got, memory and idempotency keep.
    if (result.usage !== undefined) ctx.usage = result.usage;
    ctx.result = { response: ctx.reply.end(), model: result.model, duplicate: false };
    if (result.usage !== undefined) ctx.result.usage = result.usage;
  };
}

function buildChatRequest(ctx: TurnContext): ChatRequest {
  const { agent, history, request } = ctx;
  const messages: ChatMessage[] = [];
  if (agent.systemPrompt !== '') messages.push({ role: 'system', content: agent.systemPrompt });
  messages.push(...(request.conversation ?? history), {
    role: 'user',
    content: request.message.text,
  });
  const generation = request.generation;
  return {
    model: agent.model,
    messages,
    temperature: generation?.temperature ?? agent.temperature,
    // A client may ask for a shorter answer, never a longer one than the agent allows.
    maxTokens: Math.min(generation?.maxTokens ?? agent.maxTokens, agent.maxTokens),
  };
}

interface StreamTurnOptions {
  provider: Provider;
  chatRequest: ChatRequest;
  signal: CancelSignal;
  onDelta: (delta: string) => void;
  maxReplyChars: number;
}

/**
 * Collects the streamed reply. A runaway upstream (or a hostile base_url) could otherwise grow it
 * without bound in memory; past the cap the upstream call is aborted and the turn fails.
 */
async function streamTurn(options: StreamTurnOptions): Promise<ChatResult> {
  const { provider, chatRequest, onDelta, maxReplyChars } = options;
  // Our own controller, so the cap can stop the upstream call without touching the caller's
  // signal (whose abort means "cancelled by the client", a different outcome).
  const stop = linkAbort(options.signal);
  let text = '';
  let usage: ChatUsage | undefined;
  try {
    const stream = provider.stream(chatRequest, stop.signal, (reported) => {
      usage = reported;
    });
    for await (const delta of stream) {
      if (text.length + delta.length > maxReplyChars) {
        stop.abort();
        throw new ProviderError(
          `${provider.name} streamed reply exceeds ${maxReplyChars} characters; call aborted`,
        );
      }
      text += delta;
      onDelta(delta);
    }
  } finally {
    stop.release();
  }
  const result: ChatResult = { text, model: chatRequest.model };
  if (usage !== undefined) result.usage = usage;
  return result;
}

/** A log-safe description: provider errors are sanitized at construction; others get only their class. */
function describeFailure(error: unknown): string {
  if (error instanceof ProviderError) return error.message;
  if (error instanceof GatewayError) return error.code;
  return error instanceof Error
    ? `${error.name} during agent turn`
    : 'unknown failure during agent turn';
}

/** Aborts keep the reason the caller gave (timeout, cancel); every other failure is a plain 500. */
function toGatewayError(error: unknown, signal: CancelSignal): GatewayError {
  if (signal.aborted) {
    const reason: unknown = signal.reason;
    if (reason instanceof GatewayError) return reason;
    return new GatewayError('MESSAGE_CANCELLED', { cause: error });
  }
  if (error instanceof GatewayError) return error;
  return new GatewayError('LLM_REQUEST_FAILED', { cause: error });
}
