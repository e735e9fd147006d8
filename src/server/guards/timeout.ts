import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { GatewayError } from '../../errors.js';

/** Options for requestTimeout. */
export interface RequestTimeoutOptions {
  timeoutMs: number;
}

/** onRequest hook signature used by the guards. */
export type OnRequestGuard = (
  request: FastifyRequest,
  reply: FastifyReply,
  done: HookHandlerDoneFunction,
) => void;

/*
 * Fastify's own `request.signal` / `handlerTimeout` listen to the request's 'close' event, which
 * Node 20 emits as soon as the body has been read, so they abort while the handler is still
 * working. The response's 'close' is the reliable signal: it fires once the response finished or
 * the connection went away, and `writableFinished` tells the two apart.
 */

/**
 * Gives each request `workSignal`, aborted after `timeoutMs` (the client gets 408 if nothing was
 * sent yet) or when the client disconnects, so provider calls stop for a request nobody awaits.
 */
export function requestTimeout(options: RequestTimeoutOptions): OnRequestGuard {
  const { timeoutMs } = options;

  return function requestTimeoutGuard(request, reply, done) {
    const controller = new AbortController();
    request.workSignal = controller.signal;
    const res = reply.raw;

    const timer = setTimeout(() => {
      if (res.writableEnded) return;
      controller.abort(new GatewayError('REQUEST_TIMEOUT'));
      // A stream that already sent its headers cannot turn into a 408; it sees the abort and ends.
      if (reply.sent || res.headersSent) return;
      // The client may still be sending a body; do not keep reading it on this connection.
      reply.header('connection', 'close');
      reply.send(new GatewayError('REQUEST_TIMEOUT'));
    }, timeoutMs);

    res.once('close', () => {
      clearTimeout(timer);
      if (!res.writableFinished && !controller.signal.aborted) {
        controller.abort(new GatewayError('MESSAGE_CANCELLED'));
      }
    });
    done();
  };
}
