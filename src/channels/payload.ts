import type { z } from 'zod';
import { GatewayError } from '../errors.js';
import { parseJsonBytes } from '../http/json-body.js';

/** Parses a webhook body as JSON, then with `schema`: bad JSON → INVALID_JSON, wrong shape → INVALID_BODY. */
export function readJsonPayload<T extends z.ZodType>(rawBody: Buffer, schema: T): z.infer<T> {
  const parsed = schema.safeParse(parseJsonBytes(rawBody));
  if (!parsed.success) throw new GatewayError('INVALID_BODY', { cause: parsed.error });
  return parsed.data;
}
