import type { RawData } from 'ws';
import * as z from 'zod';
import { ERRORS, GatewayError, isGatewayError } from '../../errors.js';
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

/** A received text frame's payload as a string, whatever form `ws` delivered it in. */
export function frameText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/** An error frame with the registry code and client-safe message (never upstream detail). */
export function errorFrame(id: string | undefined, error: unknown): ServerFrame {
  const gatewayError = isGatewayError(error) ? error : new GatewayError('INTERNAL');
  const message = gatewayError.code === 'INTERNAL' ? ERRORS.INTERNAL.message : gatewayError.message;
  return {
    type: 'error',
    ...(id === undefined ? {} : { id }),
    code: gatewayError.code,
    message,
    ...(gatewayError.retryable ? { retryable: true } : {}),
    ...(typeof gatewayError.extra.retry_after === 'number'
      ? { retry_after: gatewayError.extra.retry_after }
      : {}),
  };
}
