import { GatewayError } from '../../errors.js';
import type { OnRequestGuard } from '../../http/route-types.js';

/**
 * An onRequest hook refusing every request that arrives once a graceful shutdown has begun (on a
 * connection already open: the server accepts no new ones) with 503 SERVICE_UNAVAILABLE and
 * `Connection: close`, so the client or its balancer retries elsewhere. Chained after the
 * security headers and the request id, so the refusal carries them like every other error, in
 * the route's own error shape.
 */
export function refuseWhileClosing(isClosing: () => boolean): OnRequestGuard {
  return function refuseWhileClosingHook(_request, _reply, done) {
    if (isClosing()) done(new GatewayError('SERVICE_UNAVAILABLE'));
    else done();
  };
}
