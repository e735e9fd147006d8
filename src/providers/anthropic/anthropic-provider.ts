import { postJson } from '../http-call.js';
import type { HttpCall } from '../http-call.js';
import { readSseEvents } from '../sse-stream.js';
import type { ChatRequest, ChatResult, ChatUsage, Provider } from '../types.js';
import { parseEventData, parseUpstreamJson, streamErrorFrom } from '../upstream-json.js';
import { ProviderError } from '../types.js';
import {
  buildAnthropicBody,
  messageSchema,
  streamEventSchema,
  streamUsageSchema,
} from './anthropic-wire.js';
import type { CancelSignal } from '../../core/cancel-signal.js';

/** API root used when `base_url` is not configured. */
export const ANTHROPIC_DEFAULT_BASE_URL = 'https://api.anthropic.com';
/** Model used when the agent names none. */
export const ANTHROPIC_DEFAULT_MODEL = 'claude-sonnet-4-5';
/** `anthropic-version` header used when none is configured. */
export const ANTHROPIC_DEFAULT_VERSION = '2023-06-01';
const DEFAULT_TIMEOUT_MS = 120_000;

/** Options for the Anthropic Messages API provider. */
export interface AnthropicProviderOptions {
  /** Config section name (default "anthropic"), used in error messages. */
  name?: string;
  /** API root as the SDK takes it; requests go to `{baseUrl}/v1/messages`. */
  baseUrl?: string;
  /** Sent as `x-api-key` (never as a bearer token). */
  apiKey?: string;
  anthropicVersion?: string;
  /** Whole-call timeout, streaming included. */
  timeoutMs?: number;
}

/** Client for the Anthropic Messages API with SSE event streaming. */
export class AnthropicProvider implements Provider {
  readonly name: string;
  readonly defaultModel = ANTHROPIC_DEFAULT_MODEL;
  readonly #url: string;
  // Private so that logging or serializing the provider object can never print the key.
  readonly #apiKey: string | undefined;
  readonly #version: string;
  readonly #timeoutMs: number;

  constructor(options: AnthropicProviderOptions = {}) {
    this.name = options.name ?? 'anthropic';
    const base = (options.baseUrl ?? ANTHROPIC_DEFAULT_BASE_URL).replace(/\/+$/, '');
    this.#url = `${base}/v1/messages`;
    this.#apiKey = options.apiKey;
    this.#version = options.anthropicVersion ?? ANTHROPIC_DEFAULT_VERSION;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  async chat(request: ChatRequest, signal: CancelSignal): Promise<ChatResult> {
    const model = request.model || this.defaultModel;
    const call = await this.#post(buildAnthropicBody(request, model, false), signal, false);
    const reply = parseUpstreamJson(this.name, await call.text(), messageSchema, this.#secrets());
    const text = reply.content
      .filter((block) => block.type === 'text')
      .map((block) => block.text ?? '')
      .join('');
    const usage = reply.usage
      ? { inputTokens: reply.usage.input_tokens, outputTokens: reply.usage.output_tokens }
      : undefined;
    return { text, model, usage };
  }

  async *stream(
    request: ChatRequest,
    signal: CancelSignal,
    onUsage?: (usage: ChatUsage) => void,
  ): AsyncGenerator<string> {
    const model = request.model || this.defaultModel;
    const call = await this.#post(buildAnthropicBody(request, model, true), signal, true);
    const usage = { inputTokens: 0, outputTokens: 0 };
    for await (const event of readSseEvents(call, this.name)) {
      const value = parseEventData(this.name, event.data);
      // message_start carries the input tokens, message_delta the (cumulative) output tokens.
      const counted = streamUsageSchema.safeParse(value);
      if (counted.success) {
        const reported = counted.data.message?.usage ?? counted.data.usage;
        if (reported?.input_tokens !== undefined) usage.inputTokens = reported.input_tokens;
        if (reported?.output_tokens !== undefined) usage.outputTokens = reported.output_tokens;
      }
      const parsed = streamEventSchema.safeParse(value);
      // message_start, content_block_start/stop, message_delta, ping and future event types.
      if (!parsed.success) continue;
      const data = parsed.data;
      if (data.type === 'message_stop') {
        onUsage?.(usage);
        return;
      }
      if (data.type === 'error') {
        throw (
          streamErrorFrom(this.name, value, this.#secrets()) ??
          new ProviderError(`${this.name} stream error`, { retryable: true })
        );
      }
      if (data.delta.type === 'text_delta' && data.delta.text) yield data.delta.text;
    }
    throw new ProviderError(`${this.name} stream ended before message_stop`, { retryable: true });
  }

  #post(body: unknown, signal: CancelSignal, stream: boolean): Promise<HttpCall> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: stream ? 'text/event-stream' : 'application/json',
      'anthropic-version': this.#version,
    };
    if (this.#apiKey) headers['x-api-key'] = this.#apiKey;
    return postJson({
      provider: this.name,
      url: this.#url,
      headers,
      body,
      timeoutMs: this.#timeoutMs,
      signal,
      secrets: this.#secrets(),
    });
  }

  #secrets(): string[] {
    return this.#apiKey ? [this.#apiKey] : [];
  }
}
