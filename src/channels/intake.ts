import type { Inbox } from '../inbox/types.js';
import type { Observer } from '../observability/types.js';
import type { ChannelName } from '../core/types.js';
import type { ParseResult } from './types.js';

export interface IntakeDeps {
  inbox: Inbox;
  observer: Observer;
}

/**
 * Durably enqueues parsed messages and counts them (inbound / duplicate / dropped). Resolves
 * only after the inbox write is durable, so a caller may acknowledge the platform afterwards.
 */
export async function acceptMessages(
  deps: IntakeDeps,
  channel: ChannelName,
  parsed: Pick<ParseResult, 'messages' | 'dropped'>,
): Promise<{ accepted: number; duplicates: number }> {
  for (let i = 0; i < parsed.dropped; i += 1) {
    deps.observer.record({ type: 'ChannelMessage', channel, direction: 'dropped' });
  }
  if (parsed.messages.length === 0) return { accepted: 0, duplicates: 0 };
  const result = await deps.inbox.enqueue(parsed.messages);
  for (let i = 0; i < result.accepted; i += 1) {
    deps.observer.record({ type: 'ChannelMessage', channel, direction: 'inbound' });
  }
  for (let i = 0; i < result.duplicates; i += 1) {
    deps.observer.record({ type: 'ChannelMessage', channel, direction: 'duplicate' });
  }
  return result;
}
