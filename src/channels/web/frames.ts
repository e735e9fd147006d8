import { z } from 'zod';
import type { ErrorCode } from '../../errors.js';

const frameId = z.string().min(1).max(128);

/** Frames a client may send; closed objects so unknown fields are refused, not ignored. */
export const clientFrameSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('message'), id: frameId, text: z.string().min(1) }),
  z.strictObject({ type: z.literal('cancel'), id: frameId }),
]);

export type ClientFrame = z.infer<typeof clientFrameSchema>;

/** Frames the gateway sends. */
export type ServerFrame =
  | { type: 'ready'; session_id: string }
  | { type: 'chunk'; id: string; delta: string }
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
