import { hostNotAllowed } from '../../http/edge-errors.js';
import type { HostPolicy } from '../../http/host-policy.js';
import type { OnRequestGuard } from '../../http/route-types.js';

/**
 * An onRequest hook refusing requests for other host names with 421 (RFC 9110 §15.5.20,
 * Misdirected Request). It runs first, before any route does work, on every route.
 */
export function requireKnownHost(isHostAllowed: HostPolicy): OnRequestGuard {
  return function requireKnownHostHook(request, _reply, done) {
    const host = request.headers.host;
    if (isHostAllowed(host)) done();
    else done(hostNotAllowed(host));
  };
}
