import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/** Answers a request and returns true, or returns false and leaves it to the framework. */
export type RequestLane = (request: IncomingMessage, response: ServerResponse) => boolean;

/** What a lane reports of each request it answered, as the framework's onResponse would. */
export interface AnsweredRequest {
  route: string;
  method: string;
  status: number;
  durationMs: number;
  requestId: string;
  request: IncomingMessage;
}

/**
 * Writes a lane's answer, head and body in one write, then reports it (metrics, the access log
 * line), unless the response has ended or its client is gone. Nothing escapes into the server's
 * request listener: a write that throws cuts the response (nothing here should throw: ids and
 * headers are checked where they are made), and a report that throws is dropped (the observer
 * reports its own failures).
 */
export function writeLaneAnswer(
  response: ServerResponse,
  status: number,
  headers: string[],
  body: string,
  reportAnswered: () => void,
): void {
  if (response.writableEnded || response.destroyed) return;
  try {
    response.writeHead(status, headers);
    response.end(body);
  } catch {
    response.destroy();
    return;
  }
  try {
    reportAnswered();
  } catch {
    // The answer is out; a failing metric or log sink must not take the process down.
  }
}

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
