import type { CancelSignal } from '../core/cancel-signal.js';

/** One message of a conversation sent to a provider. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** A provider-neutral chat request. */
export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  temperature: number;
  maxTokens: number;
}

/** Token usage when the upstream reports it. */
export interface ChatUsage {
  inputTokens: number;
  outputTokens: number;
}

/** The complete answer of one chat call. */
export interface ChatResult {
  text: string;
  model: string;
  usage?: ChatUsage;
}

/** The Provider port: an LLM wire client. Both calls stop when `signal` aborts. */
export interface Provider {
  /** Config section name, e.g. "openai" or "openrouter". */
  readonly name: string;
  /** Model used when the agent names none. */
  readonly defaultModel: string;
  chat(request: ChatRequest, signal: CancelSignal): Promise<ChatResult>;
  /**
   * Text deltas in order; throws ProviderError if the stream breaks. The token usage the upstream
   * reports for the stream (OpenAI's final usage chunk, Anthropic's message_start/message_delta)
   * is passed to `onUsage` before the iteration ends; budgets count it.
   */
  stream(
    request: ChatRequest,
    signal: CancelSignal,
    onUsage?: (usage: ChatUsage) => void,
  ): AsyncIterable<string>;
}

/**
 * A failed provider call. `message` is always sanitized (sanitizeProviderError) before it is set,
 * so it is safe to log; it is still never sent to a client.
 */
export class ProviderError extends Error {
  readonly status: number | undefined;
  readonly retryable: boolean;
  readonly aborted: boolean;

  constructor(
    message: string,
    options: { status?: number; retryable?: boolean; aborted?: boolean; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'ProviderError';
    this.status = options.status;
    this.retryable = options.retryable ?? false;
    this.aborted = options.aborted ?? false;
  }
}
