/** Conversations remembered at most; the oldest is forgotten first (its owner can still use it). */
const MAX_CONVERSATIONS = 10_000;

/**
 * Which principal each web conversation belongs to. A conversation id is not a secret: it is
 * bound to the principal that first used it, and another principal may not attach to it. Memory
 * keys also carry the principal id, so even a conversation forgotten here (restart, eviction)
 * never shows one principal's history to another.
 */
export interface ConversationRegistry {
  /** Binds `conversationId` to `principalId` when new; false when another principal owns it. */
  claim(conversationId: string, principalId: string): boolean;
}

/** Builds the in-process registry. */
export function createConversationRegistry(max = MAX_CONVERSATIONS): ConversationRegistry {
  const owners = new Map<string, string>();
  return {
    claim(conversationId, principalId) {
      const owner = owners.get(conversationId);
      if (owner !== undefined) return owner === principalId;
      if (owners.size >= max) {
        const oldest = owners.keys().next().value;
        if (oldest !== undefined) owners.delete(oldest);
      }
      owners.set(conversationId, principalId);
      return true;
    },
  };
}

/** The memory key of a web conversation (scoped by principal). */
export function conversationMemoryKey(principalId: string, conversationId: string): string {
  return `web:${principalId}:${conversationId}`;
}
