import type { z } from 'zod';
import { GatewayError } from '../errors.js';

/**
 * Parses exact request bytes as JSON (never a re-serialization, so signatures stay verifiable).
 * Not JSON → INVALID_JSON, with `message` replacing the registry text when given.
 */
export function parseJsonBytes(rawBody: Buffer, message?: string): unknown {
  try {
    return JSON.parse(rawBody.toString('utf8')) as unknown;
  } catch (cause) {
    throw new GatewayError('INVALID_JSON', message === undefined ? { cause } : { message, cause });
  }
}

/** Parses a webhook body as JSON, then with `schema`: bad JSON → INVALID_JSON, wrong shape → INVALID_BODY. */
export function readJsonPayload<T extends z.ZodType>(rawBody: Buffer, schema: T): z.infer<T> {
  const parsed = schema.safeParse(parseJsonBytes(rawBody));
  if (!parsed.success) throw new GatewayError('INVALID_BODY', { cause: parsed.error });
  return parsed.data;
}
