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
      usage: { inputTokens: countWords(request.messages), outputTokens: splitDeltas(text).length },
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
    onUsage?.({ inputTokens: countWords(request.messages), outputTokens: deltas.length });
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

function countWords(messages: readonly ChatMessage[]): number {
  return messages.reduce((sum, message) => sum + (message.content.match(/\S+/g)?.length ?? 0), 0);
}
