import type { IncomingHttpHeaders } from 'node:http';
import { GatewayError } from '../../errors.js';

/** RFC 6455 §4.1: the key is 16 bytes, base64-encoded (24 characters, `==` padded), as `ws` checks. */
const WEBSOCKET_KEY_PATTERN = /^[+/0-9A-Za-z]{22}==$/;

/** Protocol versions `ws` speaks: 13 (RFC 6455) and 8 (the last draft some clients still send). */
const SUPPORTED_VERSIONS = new Set(['13', '8']);

/**
 * Checks the RFC 6455 handshake fields before anything else runs. Without it `ws` would refuse a
 * malformed request itself — after authentication has spent a single-use ticket, and with a
 * text/html body lacking the security headers. Returns the refusal, or undefined when well formed.
 */
export function checkUpgradeRequest(request: {
  method?: string | undefined;
  headers: IncomingHttpHeaders;
}): GatewayError | undefined {
  if (request.method !== 'GET') return new GatewayError('METHOD_NOT_ALLOWED');
  const { upgrade, 'sec-websocket-key': key, 'sec-websocket-version': version } = request.headers;
  if (upgrade?.toLowerCase() !== 'websocket') {
    return new GatewayError('BAD_REQUEST', { message: 'Upgrade header must be "websocket"' });
  }
  if (key === undefined || !WEBSOCKET_KEY_PATTERN.test(key)) {
    return new GatewayError('BAD_REQUEST', { message: 'Missing or invalid Sec-WebSocket-Key' });
  }
  if (version === undefined || !SUPPORTED_VERSIONS.has(version.trim())) {
    return new GatewayError('BAD_REQUEST', {
      message: 'Missing or unsupported Sec-WebSocket-Version; use 13',
    });
  }
  return undefined;
}
