import * as z from 'zod';
import type { InboundMessage } from '../core/types.js';

/** Schema for messages read back from an inbox store (a file another version may have written). */
export const storedMessageSchema = z.object({
  channel: z.enum(['api', 'web', 'whatsapp', 'slack', 'telegram']),
  senderId: z.string(),
  conversationId: z.string(),
  text: z.string(),
  messageId: z.string(),
  replyTarget: z.string(),
  receivedAt: z.number(),
});

/** Parses a stored message; throws when the stored JSON is corrupt. */
export function readStoredMessage(json: string): InboundMessage {
  return storedMessageSchema.parse(JSON.parse(json));
}
