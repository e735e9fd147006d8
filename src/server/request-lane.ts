import type { Server } from 'node:http';
import type { RequestLane } from './probe-lane.js';

/**
 * Puts `lane` in front of the framework on `server`: each request is offered to the lane first
 * and reaches the framework's own request listener only if the lane leaves it. The server stays
 * the one the framework made (its timeouts, limits and, for a host name such as `localhost`, the
 * extra servers it binds for the name's other addresses, which keep the framework path only).
 * Called right after the framework is created, when its listener is the server's only one.
 */
export function offerRequestsToLane(server: Server, lane: RequestLane): void {
  const listeners = server.listeners('request');
  const [framework] = listeners;
  if (listeners.length !== 1 || framework === undefined) {
    throw new Error(`expected the framework's request listener alone, found ${listeners.length}`);
  }
  const handle = framework as (...args: Parameters<RequestLane>) => void;
  server.removeListener('request', handle);
  server.on('request', function offerToLane(request, response) {
    if (!lane(request, response)) handle(request, response);
  });
}
