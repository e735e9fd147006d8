import { GatewayError } from '../../errors.js';
import type { ConversationRegistry } from './conversations.js';
import { isConversationId } from './frames.js';

/** What `?conversation=` asked for: attached, refused (the `attach` frame's error), or nothing. */
export type RequestedConversation = { ok: true; id: string } | { ok: false; error?: GatewayError };

/** Applies the same checks as an `attach` frame (format, then the owning principal). */
export function requestConversation(
  conversations: ConversationRegistry,
  id: string | undefined,
  principalId: string,
): RequestedConversation {
  if (id === undefined) return { ok: false };
  if (!isConversationId(id)) return { ok: false, error: new GatewayError('INVALID_BODY') };
  if (!conversations.claim(id, principalId)) {
    return { ok: false, error: new GatewayError('CONVERSATION_FORBIDDEN') };
  }
  return { ok: true, id };
}
