import type { FastifyRequest } from 'fastify';
import { hostNotAllowed } from '../../http/edge-errors.js';
import type { HostPolicy } from '../../http/host-policy.js';

/**
 * An onRequest hook refusing requests for other host names with 421 (RFC 9110 §15.5.20,
 * Misdirected Request). It runs first, before any route does work, on every route.
 */
export function requireKnownHost(isHostAllowed: HostPolicy) {
  return async function requireKnownHostHook(request: FastifyRequest): Promise<void> {
    const host = request.headers.host;
    if (!isHostAllowed(host)) throw hostNotAllowed(host);
  };
}
