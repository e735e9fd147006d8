import { postJson } from '../http-call.js';
import type { HttpCall } from '../http-call.js';
import { readSseEvents } from '../sse-stream.js';
import type { ChatRequest, ChatResult, ChatUsage, Provider } from '../types.js';
import { ProviderError } from '../types.js';
import { parseEventData, parseUpstreamJson, streamErrorFrom } from '../upstream-json.js';
import {
  DONE_MARKER,
  buildOpenAiBody,
  chunkSchema,
  completionSchema,
  toChatUsage,
} from './openai-wire.js';
import type { CancelSignal } from '../../core/cancel-signal.js';

/** API root used when `base_url` is not configured. */
export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';
/** Model used when the agent names none. */
export const OPENAI_DEFAULT_MODEL = 'gpt-4o-mini';
const DEFAULT_TIMEOUT_MS = 120_000;

/** Options for an OpenAI-compatible provider. */
export interface OpenAiProviderOptions {
  /** Config section name (default "openai"), used in error messages. */
  name?: string;
  /** API root as the SDKs take it, e.g. `http://127.0.0.1:11434/v1` for Ollama. */
  baseUrl?: string;
  /** Sent as `Authorization: Bearer`; omitted when unset (Ollama, local vLLM). */
  apiKey?: string;
  /** Whole-call timeout, streaming included. */
  timeoutMs?: number;
}

/** Client for any OpenAI-compatible Chat Completions endpoint (OpenAI, OpenRouter, Ollama, vLLM). */
export class OpenAiProvider implements Provider {
  readonly name: string;
  readonly defaultModel = OPENAI_DEFAULT_MODEL;
  readonly #url: string;
  // Private so that logging or serializing the provider object can never print the key.
  readonly #apiKey: string | undefined;
  readonly #timeoutMs: number;

  constructor(options: OpenAiProviderOptions = {}) {
    this.name = options.name ?? 'openai';
    this.#url = `${(options.baseUrl ?? OPENAI_DEFAULT_BASE_URL).replace(/\/+$/, '')}/chat/completions`;
    this.#apiKey = options.apiKey;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  async chat(request: ChatRequest, signal: CancelSignal): Promise<ChatResult> {
    const model = request.model || this.defaultModel;
    const call = await this.#post(buildOpenAiBody(request, model, false), signal, false);
    const reply = parseUpstreamJson(
      this.name,
      await call.text(),
      completionSchema,
      this.#secrets(),
    );
    return {
      text: reply.choices[0]?.message.content ?? '',
      model,
      usage: toChatUsage(reply.usage),
    };
  }

  async *stream(
    request: ChatRequest,
    signal: CancelSignal,
    onUsage?: (usage: ChatUsage) => void,
  ): AsyncGenerator<string> {
    const model = request.model || this.defaultModel;
    const call = await this.#post(buildOpenAiBody(request, model, true), signal, true);
    for await (const event of readSseEvents(call, this.name)) {
      if (event.data.trim() === DONE_MARKER) return;
      const value = parseEventData(this.name, event.data);
      const streamError = streamErrorFrom(this.name, value, this.#secrets());
      if (streamError) throw streamError;
      const chunk = chunkSchema.safeParse(value);
      if (!chunk.success) {
        throw new ProviderError(`${this.name} stream sent an unexpected chunk`, {
          retryable: true,
        });
      }
      const usage = toChatUsage(chunk.data.usage);
      if (usage !== undefined) onUsage?.(usage);
      const delta = chunk.data.choices[0]?.delta?.content;
      if (delta) yield delta;
    }
    throw new ProviderError(`${this.name} stream ended before ${DONE_MARKER}`, { retryable: true });
  }

  #post(body: unknown, signal: CancelSignal, stream: boolean): Promise<HttpCall> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: stream ? 'text/event-stream' : 'application/json',
    };
    if (this.#apiKey) headers.authorization = `Bearer ${this.#apiKey}`;
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
