import { createHash, timingSafeEqual } from 'node:crypto';
import { parseJsonBytes } from '../../http/json-body.js';
import { GatewayError } from '../../errors.js';

/** The parsed `POST /webhook` body. */
export interface WebhookBody {
  message: string;
}

/** Parses the exact request bytes as `{"message": string}`; anything else is a 400 naming what was expected. */
export function parseWebhookBody(rawBody: Buffer): WebhookBody {
  const json = parseJsonBytes(
    rawBody,
    'Request body is not valid JSON; expected {"message": "<text>"}',
  );
  const message = onlyMessage(json);
  if (message === undefined || message.trim().length === 0) {
    throw new GatewayError('INVALID_BODY', {
      message: 'Expected a JSON object {"message": "<non-empty text>"} and no other fields',
    });
  }
  return { message };
}

/**
 * The `message` of an object that has that one field, as a string; otherwise undefined. Checked
 * by hand rather than with a schema: this runs on every message, and a schema parse of the
 * body was about 4 % of a `/webhook` request's instructions.
 */
function onlyMessage(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  const keys = Object.keys(json);
  if (keys.length !== 1 || keys[0] !== 'message') return undefined;
  const { message } = json as { message: unknown };
  return typeof message === 'string' ? message : undefined;
}

const SESSION_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** Validates `X-Session-Id`: absent, or 1–128 characters of `[A-Za-z0-9._-]`. */
export function parseSessionId(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (!SESSION_ID.test(header)) {
    throw new GatewayError('INVALID_HEADER', {
      message: 'X-Session-Id must be 1–128 characters of A-Z, a-z, 0-9, ".", "_" or "-"',
    });
  }
  return header;
}

/** SHA-256 of the configured webhook secret, computed once at start. */
export function hashWebhookSecret(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

/**
 * Checks `X-Webhook-Secret` when a secret is configured. The header is hashed once and its digest
 * compared in constant time with the stored one: two 32-byte digests, so neither the content nor
 * the length of the secret leaks through timing.
 */
export function verifyWebhookSecret(
  expectedHash: Buffer | undefined,
  header: string | undefined,
): boolean {
  if (expectedHash === undefined) return true;
  if (header === undefined || header === '') return false;
  const presented = createHash('sha256').update(header).digest();
  // A stored value that is not a SHA-256 digest would make timingSafeEqual throw: refuse instead.
  if (expectedHash.length !== presented.length) return false;
  return timingSafeEqual(presented, expectedHash);
}
