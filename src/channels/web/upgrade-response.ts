import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { ERRORS } from '../../errors.js';
import type { ErrorCode } from '../../errors.js';

/**
 * Refuses an upgrade with a plain HTTP response instead of a 101, then closes the socket once the
 * response is flushed. The body uses the same `{ error, code }` shape as every other error.
 */
export function rejectUpgrade(socket: Duplex, code: ErrorCode, message?: string): void {
  if (socket.destroyed) return;
  const spec = ERRORS[code];
  const body = JSON.stringify({ error: message ?? spec.message, code });
  const head = [
    `HTTP/1.1 ${spec.status} ${STATUS_CODES[spec.status] ?? 'Error'}`,
    'Connection: close',
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Cache-Control: no-store',
  ];
  if (spec.status === 429) head.push('Retry-After: 1');
  socket.once('finish', () => socket.destroy());
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
}
