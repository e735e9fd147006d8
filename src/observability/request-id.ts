import { randomBytes } from 'node:crypto';

/**
 * Request ids a proxy may hand us: short and made of characters that cannot break a log line or
 * a header (no spaces, quotes or control characters).
 */
const ACCEPTED_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Options for createRequestIdSource. */
export interface RequestIdOptions {
  /** Whether `X-Request-Id` from this peer is believed (a trusted proxy); false for anyone else. */
  trustRequestId: (peerIp: string | undefined) => boolean;
  /** Process prefix for generated ids; random by default so instances do not collide. */
  prefix?: string;
}

/**
 * Picks the id of one request: the incoming `X-Request-Id` when the peer is a trusted proxy and
 * the value is well-formed, otherwise a fresh one. A client that is not a trusted proxy cannot
 * choose its id, so it cannot make its requests look like someone else's in the logs.
 */
export function createRequestIdSource(
  options: RequestIdOptions,
): (incoming: string | string[] | undefined, peerIp: string | undefined) => string {
  const prefix = options.prefix ?? randomBytes(4).toString('hex');
  let counter = 0;
  // A counter, not a UUID per request: unique within the process, and the prefix separates
  // processes; the id is a correlation handle, not a secret.
  const generate = (): string => `${prefix}-${(++counter).toString(36)}`;
  return function requestIdFor(incoming, peerIp) {
    if (
      typeof incoming === 'string' &&
      ACCEPTED_ID.test(incoming) &&
      options.trustRequestId(peerIp)
    ) {
      return incoming;
    }
    return generate();
  };
}
