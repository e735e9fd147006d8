import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { GatewayError } from '../../errors.js';
import type { ErrorCode } from '../../errors.js';
import { SECURITY_HEADERS } from '../../http/security-headers.js';

/** The API security headers as raw header lines, built once: the same set Fastify sends. */
export const SECURITY_HEADER_LINES = Object.entries(SECURITY_HEADERS).map(
  ([name, value]) => `${name}: ${value}`,
);

/** `retry_after` of a refused upgrade's 429 when the error names none, in seconds. */
export const UPGRADE_RETRY_AFTER_SECS = 1;

/**
 * Refuses an upgrade with a plain HTTP response instead of a 101, then closes the socket once the
 * response is flushed. The body is the registry's `{ error, code, ...extra }` and the headers
 * include the security set, as on every route: this response bypasses Fastify entirely.
 */
export function rejectUpgrade(socket: Duplex, reason: ErrorCode | GatewayError): void {
  if (socket.destroyed) return;
  const error = typeof reason === 'string' ? new GatewayError(reason) : reason;
  const fields = error.toBody();
  // Every 429 tells the client when to come back, in the body and in Retry-After (the registry
  // convention); pending slots free within the handshake deadline, so a short wait is enough.
  if (error.status === 429) fields.retry_after ??= UPGRADE_RETRY_AFTER_SECS;
  const body = JSON.stringify(fields);
  const head = [
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? 'Error'}`,
    'Connection: close',
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Cache-Control: no-store',
    ...SECURITY_HEADER_LINES,
  ];
  if (fields.retry_after !== undefined) head.push(`Retry-After: ${String(fields.retry_after)}`);
  socket.once('finish', () => socket.destroy());
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
}
