import type { ChatMessage, ChatRequest, ChatResult, ChatUsage, Provider } from '../types.js';
import { ProviderError } from '../types.js';
import type { CancelSignal } from '../../core/cancel-signal.js';

/** Model name the echo provider reports when the agent names none. */
export const ECHO_DEFAULT_MODEL = 'echo';

/** Options for the offline echo provider. */
export interface EchoProviderOptions {
  /** Config section name (default "echo"). */
  name?: string;
}

/**
 * Offline, deterministic provider: answers `echo: <last user message>`. The embedded default,
 * so the quick start works without an API key; streams the same text word by word, instantly.
 */
export class EchoProvider implements Provider {
  readonly name: string;
  readonly defaultModel = ECHO_DEFAULT_MODEL;

  constructor(options: EchoProviderOptions = {}) {
    this.name = options.name ?? 'echo';
  }

  async chat(request: ChatRequest, signal: CancelSignal): Promise<ChatResult> {
    this.#throwIfAborted(signal);
    const text = echoText(request.messages);
    return {
      text,
      model: request.model || this.defaultModel,
      usage: { inputTokens: countInputWords(request.messages), outputTokens: countDeltas(text) },
    };
  }

  async *stream(
    request: ChatRequest,
    signal: CancelSignal,
    onUsage?: (usage: ChatUsage) => void,
  ): AsyncGenerator<string> {
    const deltas = splitDeltas(echoText(request.messages));
    for (const delta of deltas) {
      this.#throwIfAborted(signal);
      yield delta;
    }
    onUsage?.({ inputTokens: countInputWords(request.messages), outputTokens: deltas.length });
  }

  #throwIfAborted(signal: CancelSignal): void {
    if (signal.aborted) throw new ProviderError(`${this.name} request aborted`, { aborted: true });
  }
}

/** The echo reply for a conversation: its last user message behind an `echo: ` prefix. */
export function echoText(messages: readonly ChatMessage[]): string {
  const lastUser = messages.findLast((message) => message.role === 'user');
  return `echo: ${lastUser?.content ?? ''}`;
}

/** Words with their trailing whitespace, so the deltas concatenate back to the exact text. */
function splitDeltas(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

function countInputWords(messages: readonly ChatMessage[]): number {
  let words = 0;
  for (const message of messages) words += countWords(message.content);
  return words;
}

/**
 * How many deltas `stream` yields for `text`: its words, plus one for leading whitespace. Counted
 * without building them, for the whole (non-streamed) answer.
 */
export function countDeltas(text: string): number {
  if (text === '') return 0;
  return countWords(text) + (isWhitespace(text.charCodeAt(0)) ? 1 : 0);
}

/** Runs of non-whitespace in `text`: what `/\S+/g` matches, counted without a match array. */
export function countWords(text: string): number {
  let words = 0;
  let inWord = false;
  for (let index = 0; index < text.length; index += 1) {
    const space = isWhitespace(text.charCodeAt(index));
    if (!space && !inWord) words += 1;
    inWord = !space;
  }
  return words;
}

/** JavaScript's `\s`: WhiteSpace and LineTerminator code points (ECMA-262), all in the BMP. */
function isWhitespace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  if (code < 0xa0) return false;
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}
