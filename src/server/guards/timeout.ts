import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CancelController, type CancelSignal } from '../../core/cancel-signal.js';
import { GatewayError } from '../../errors.js';
import type { OnRequestGuard } from '../../http/route-types.js';

export type { OnRequestGuard } from '../../http/route-types.js';

/** Options for requestTimeout. */
export interface RequestTimeoutOptions {
  timeoutMs: number;
}

/*
 * Fastify's own `request.signal` / `handlerTimeout` listen to the request's 'close' event, which
 * Node 20 emits as soon as the body has been read, so they abort while the handler is still
 * working. The response's 'close' is the reliable signal: it fires once the response finished or
 * the connection went away, and `writableFinished` tells the two apart.
 *
 * The signal is a CancelController (an AbortSignal costs microseconds on Node 20), made only
 * when a route reads `request.workSignal`; a reason recorded earlier is applied at that moment.
 */

const kController = Symbol('gatehouse.workController');
const kAbortReason = Symbol('gatehouse.workAbortReason');

type WorkState = FastifyRequest & {
  [kController]?: CancelController;
  [kAbortReason]?: GatewayError;
};

function abortWork(request: WorkState, reason: GatewayError): void {
  if (request[kAbortReason] !== undefined) return;
  request[kAbortReason] = reason;
  request[kController]?.abort(reason);
}

/** Adds the lazily created `request.workSignal`. */
export function decorateWorkSignal(app: FastifyInstance): void {
  app.decorateRequest('workSignal', {
    getter(this: FastifyRequest): CancelSignal {
      const self = this as WorkState;
      let controller = self[kController];
      if (controller === undefined) {
        controller = new CancelController();
        self[kController] = controller;
        if (self[kAbortReason] !== undefined) controller.abort(self[kAbortReason]);
      }
      return controller.signal;
    },
  });
}

function onTimeout(request: FastifyRequest, reply: FastifyReply): void {
  const res = reply.raw;
  if (res.writableEnded) return;
  const error = new GatewayError('REQUEST_TIMEOUT');
  abortWork(request, error);
  // A stream that already sent its headers cannot turn into a 408; it sees the abort and ends.
  if (reply.sent || res.headersSent) return;
  // The client may still be sending a body; do not keep reading it on this connection.
  reply.header('connection', 'close');
  reply.send(error);
}

const kTimer = Symbol('gatehouse.requestTimer');
const kRequest = Symbol('gatehouse.timedRequest');

/** A response under the timeout: its timer and request, so one shared listener serves them all. */
type TimedResponse = ServerResponse & {
  [kTimer]?: NodeJS.Timeout | undefined;
  [kRequest]?: FastifyRequest | undefined;
};

function onResponseClose(this: TimedResponse): void {
  const request = this[kRequest];
  if (request === undefined) return;
  clearTimeout(this[kTimer]);
  this[kTimer] = undefined;
  this[kRequest] = undefined;
  if (!this.writableFinished) abortWork(request, new GatewayError('MESSAGE_CANCELLED'));
}

/**
 * Aborts `request.workSignal` after `timeoutMs` (the client gets 408 if nothing was sent yet) or
 * when the client disconnects, so provider calls stop for a request nobody awaits. Needs
 * decorateWorkSignal on the same app.
 */
export function requestTimeout(options: RequestTimeoutOptions): OnRequestGuard {
  const { timeoutMs } = options;

  return function requestTimeoutGuard(request, reply, done) {
    const res: TimedResponse = reply.raw;
    res[kTimer] = setTimeout(onTimeout, timeoutMs, request, reply);
    res[kRequest] = request;
    res.on('close', onResponseClose);
    done();
  };
}
