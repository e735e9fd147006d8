import type { IncomingHttpHeaders } from 'node:http';
import { DEFAULT_AGENT } from '../../core/routing/rules.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Dispatch, DispatchRequest, DispatchResult } from '../../core/types.js';
import { GatewayError, isGatewayError } from '../../errors.js';
import { openSse } from '../sse-writer.js';
import { TurnStream } from '../turn-streams.js';
import type { TurnStreams } from '../turn-streams.js';

export interface WebhookStreamOptions {
  dispatch: Dispatch;
  streams: TurnStreams;
  /** Bound on a turn that no longer has its request (the request timeout). */
  turnTimeoutMs: number;
  heartbeatMs?: number;
}

/** True when the client asked for `text/event-stream`. */
export function wantsEventStream(request: { headers: IncomingHttpHeaders }): boolean {
  const accept = request.headers.accept;
  return typeof accept === 'string' && /(^|,)\s*text\/event-stream\s*(;|,|$)/i.test(accept);
}

/** `Last-Event-ID`: the `seq` of the last chunk the client received (a non-negative integer). */
export function parseLastEventId(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  if (typeof header !== 'string' || !/^\d{1,9}$/.test(header.trim())) {
    throw new GatewayError('INVALID_HEADER', {
      message: 'Last-Event-ID must be the seq of the last chunk received',
    });
  }
  return Number(header.trim());
}

/** The body of a `done` event and of the non-streamed answer. */
export function webhookAnswer(result: DispatchResult): Record<string, unknown> {
  if (result.duplicate) {
    return {
      status: 'duplicate',
      idempotent: true,
      message: 'Request already processed for this idempotency key',
      response: result.response,
      model: result.model,
      agent: result.agent ?? DEFAULT_AGENT,
    };
  }
  return { response: result.response, model: result.model, agent: result.agent ?? DEFAULT_AGENT };
}

/**
 * Streams a `/webhook` turn as server-sent events: `chunk` events (`id:` = seq), then `done` or
 * `error`. With an idempotency key the turn outlives the connection: it keeps running for the
 * grace period, and the same request with `Last-Event-ID` re-attaches and receives the chunks
 * after that id. Without a key nothing could re-attach, so a disconnect aborts it at once.
 */
export function streamWebhookTurn(
  options: WebhookStreamOptions,
  turn: Omit<DispatchRequest, 'signal' | 'onDelta'>,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const lastEventId = parseLastEventId(request.headers['last-event-id']);
  const key =
    turn.idempotencyKey === undefined ? undefined : `${turn.principal.id}\n${turn.idempotencyKey}`;
  let stream = key === undefined ? undefined : options.streams.get(key);
  if (stream === undefined) {
    stream = key === undefined ? new TurnStream() : options.streams.start(key);
    runTurn(options, turn, stream, key);
  }
  const sse = openSse(reply, { heartbeatMs: options.heartbeatMs });
  const detach = stream.attach(
    {
      chunk(delta, seq) {
        sse.send(JSON.stringify({ delta, seq }), { event: 'chunk', id: String(seq) });
      },
      done(result) {
        sse.send(JSON.stringify(webhookAnswer(result)), { event: 'done' });
        sse.end();
      },
      error(error) {
        const gatewayError = isGatewayError(error) ? error : new GatewayError('INTERNAL');
        sse.send(JSON.stringify(gatewayError.toBody()), { event: 'error' });
        sse.end();
      },
    },
    lastEventId ?? 0,
  );
  const current = stream;
  reply.raw.once('close', () => {
    detach();
    if (current.finished) return;
    const reason = new GatewayError('MESSAGE_CANCELLED');
    if (key === undefined) current.abort(reason);
    else options.streams.detached(key, current, reason);
  });
}

function runTurn(
  options: WebhookStreamOptions,
  turn: Omit<DispatchRequest, 'signal' | 'onDelta'>,
  stream: TurnStream,
  key: string | undefined,
): void {
  options
    .dispatch({
      ...turn,
      // Not the request's signal: the turn may outlive its connection (see above).
      signal: AbortSignal.any([stream.signal, timeoutSignal(options.turnTimeoutMs)]),
      onDelta: (delta) => stream.push(delta),
    })
    .then(
      (result) => stream.finish(result),
      (error: unknown) => stream.fail(error),
    )
    .finally(() => {
      if (key !== undefined) options.streams.ended(key, stream);
    });
}

/** Aborts with REQUEST_TIMEOUT (the reason clients see) after `ms`; never holds the process open. */
function timeoutSignal(ms: number): AbortSignal {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new GatewayError('REQUEST_TIMEOUT')), ms);
  timer.unref();
  return controller.signal;
}
