import type { EventEmitter } from 'node:events';
import { GatewayError } from '../../errors.js';
import { KeyCounts } from '../../http/key-counts.js';
import type { OnRequestGuard } from '../../http/route-types.js';

/** Seconds a refused client is told to wait: in-flight requests finish within moments. */
const RETRY_AFTER_SECS = 1;

/** The per-client bound on requests in progress: a framework hook and a check for the probe lane. */
export interface RequestsPerClient {
  /** onRequest hook: refuses with 429 when the client already has its maximum in progress. */
  hook: OnRequestGuard;
  /**
   * Whether the client may start one more request. `clientKey` is called only when some client
   * has a request in progress, so an idle gateway never derives the key.
   */
  mayStart(clientKey: () => string): boolean;
  /**
   * Counts one request of `clientKey` in progress until `response` closes. For a request lane
   * that answered mayStart with true; the hook takes its slots itself.
   */
  take(clientKey: string, response: EventEmitter): void;
}

const kClientKey = Symbol('gatehouse.requestsPerClient.key');

/** The response of a counted request, holding the key its slot was taken for. */
type CountedResponse = EventEmitter & { [kClientKey]?: string };

/**
 * Bounds the requests one client address has in progress — body still arriving or handler still
 * running. Slow-body floods from one address then cost that address its own budget, not
 * everyone's sockets and handlers.
 */
export function limitRequestsPerClient(maxPerClient: number): RequestsPerClient {
  const inProgress = new KeyCounts();
  // One listener for every response, its key kept on the response: no closure per request.
  function releaseSlot(this: CountedResponse): void {
    const key = this[kClientKey];
    if (key === undefined) return;
    this[kClientKey] = undefined;
    inProgress.remove(key);
  }
  function take(key: string, response: CountedResponse): void {
    inProgress.add(key);
    // 'close' fires once the response is finished or the connection is gone, whichever is first.
    response[kClientKey] = key;
    response.on('close', releaseSlot);
  }
  return {
    hook(request, reply, done) {
      const key = request.clientKey;
      if (inProgress.count(key) >= maxPerClient) {
        done(new GatewayError('TOO_MANY_REQUESTS', { extra: { retry_after: RETRY_AFTER_SECS } }));
        return;
      }
      take(key, reply.raw);
      done();
    },
    take,
    mayStart(clientKey) {
      if (inProgress.size === 0) return maxPerClient > 0;
      return inProgress.count(clientKey()) < maxPerClient;
    },
  };
}
