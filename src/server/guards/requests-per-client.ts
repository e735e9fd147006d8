import type { FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError } from '../../errors.js';

/** Seconds a refused client is told to wait: in-flight requests finish within moments. */
const RETRY_AFTER_SECS = 1;

/**
 * An onRequest hook bounding the requests one client address has in progress — body still
 * arriving or handler still running. Slow-body floods from one address then cost that address
 * its own budget, not everyone's sockets and handlers.
 */
export function limitRequestsPerClient(maxPerClient: number) {
  const inProgress = new Map<string, number>();
  return async function limitRequestsPerClientHook(
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<void> {
    const key = request.clientKey;
    const count = inProgress.get(key) ?? 0;
    if (count >= maxPerClient) {
      throw new GatewayError('TOO_MANY_REQUESTS', { extra: { retry_after: RETRY_AFTER_SECS } });
    }
    inProgress.set(key, count + 1);
    // 'close' fires once the response is finished or the connection is gone, whichever is first.
    reply.raw.once('close', () => {
      const remaining = (inProgress.get(key) ?? 1) - 1;
      if (remaining <= 0) inProgress.delete(key);
      else inProgress.set(key, remaining);
    });
  };
}
