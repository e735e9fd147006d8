import type { z } from 'zod';
import { GatewayError } from '../errors.js';

/** Parses a webhook body as JSON, then with `schema`: bad JSON → INVALID_JSON, wrong shape → INVALID_BODY. */
export function readJsonPayload<T extends z.ZodType>(rawBody: Buffer, schema: T): z.infer<T> {
  let json: unknown;
  try {
    json = JSON.parse(rawBody.toString('utf8'));
  } catch (cause) {
    throw new GatewayError('INVALID_JSON', { cause });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new GatewayError('INVALID_BODY', { cause: parsed.error });
  return parsed.data;
}
