import * as z from 'zod';
import type { ReplyPart } from './types.js';

const storedPartsSchema = z.array(
  z.strictObject({
    text: z.string(),
    state: z.enum(['pending', 'sending', 'delivered', 'unknown']),
  }),
);

/** Parses the stored parts of a reply; throws when the stored JSON is corrupt. */
export function readStoredParts(json: string): ReplyPart[] {
  return storedPartsSchema.parse(JSON.parse(json));
}
