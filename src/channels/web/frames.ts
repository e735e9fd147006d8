import * as z from 'zod';
import type { ErrorCode } from '../../errors.js';

const frameId = z.string().min(1).max(128);
/** Conversation ids: what the gateway issues (UUIDs) or any short token-like string. */
const conversationId = z.string().regex(/^[A-Za-z0-9._-]{1,128}$/);

/** Whether `value` is a well-formed conversation id (as `attach` and `?conversation=` require). */
export function isConversationId(value: string): boolean {
  return conversationId.safeParse(value).success;
}

/** Frames a client may send; closed objects so unknown fields are refused, not ignored. */
export const clientFrameSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('message'), id: frameId, text: z.string().min(1) }),
  z.strictObject({ type: z.literal('cancel'), id: frameId }),
  z.strictObject({ type: z.literal('attach'), conversation_id: conversationId }),
  z.strictObject({
    type: z.literal('resume'),
    id: frameId,
    after_seq: z.number().int().min(0),
  }),
  z.strictObject({ type: z.literal('history'), limit: z.number().int().min(1).max(200) }),
]);

export type ClientFrame = z.infer<typeof clientFrameSchema>;

/** Frames the gateway sends. */
export type ServerFrame =
  | { type: 'ready'; session_id: string; conversation_id: string }
  | { type: 'attached'; conversation_id: string }
  | {
      type: 'history';
      conversation_id: string;
      messages: Array<{ role: string; text: string; at: string; id: string }>;
    }
  | { type: 'chunk'; id: string; delta: string; seq: number }
  | { type: 'done'; id: string; response: string; model: string; agent: string }
  | {
      type: 'error';
      id?: string;
      code: ErrorCode;
      message: string;
      retryable?: boolean;
      /** Seconds to wait before retrying (RATE_LIMITED, BUDGET_EXCEEDED). */
      retry_after?: number;
    };

/** Outcome of parsing one received frame; failures carry the frame id when one was readable. */
export type ParsedClientFrame =
  | { ok: true; frame: ClientFrame }
  | { ok: false; code: 'INVALID_JSON' | 'INVALID_BODY'; id?: string };

/** Parses a text frame; never throws. */
export function parseClientFrame(text: string): ParsedClientFrame {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    // Malformed JSON is a client error answered with an error frame, not a crash.
    return { ok: false, code: 'INVALID_JSON' };
  }
  const parsed = clientFrameSchema.safeParse(raw);
  if (parsed.success) return { ok: true, frame: parsed.data };
  const id = readableId(raw);
  return id === undefined
    ? { ok: false, code: 'INVALID_BODY' }
    : { ok: false, code: 'INVALID_BODY', id };
}

function readableId(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null || !('id' in raw)) return undefined;
  const parsed = frameId.safeParse(raw.id);
  return parsed.success ? parsed.data : undefined;
}
