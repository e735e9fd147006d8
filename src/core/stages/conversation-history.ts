import type { MemoryEntry } from '../../memory/types.js';
import type { ChatMessage } from '../../providers/types.js';

/**
 * The stored history as the agent may see it: only complete exchanges, a user message directly
 * followed by its reply. A user message without a reply (its turn failed, was cancelled, or the
 * process died mid-turn) and a reply whose question fell outside the window are dropped, so the
 * provider always receives user/assistant alternating and the new message follows an assistant.
 */
export function completeExchanges(entries: readonly MemoryEntry[]): ChatMessage[] {
  const spoken = entries.filter((entry) => entry.role !== null);
  const out: ChatMessage[] = [];
  for (let index = 0; index < spoken.length; index += 1) {
    const question = spoken[index];
    const answer = spoken[index + 1];
    if (question?.role === 'user' && answer?.role === 'assistant') {
      out.push({ role: 'user', content: question.content });
      out.push({ role: 'assistant', content: answer.content });
      index += 1;
    }
  }
  return out;
}
