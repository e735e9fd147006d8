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
