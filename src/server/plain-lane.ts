import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { CancelController } from '../core/cancel-signal.js';
import { GatewayError } from '../errors.js';
import type { AnswerBatch, BatchTurn } from './answer-batch.js';
import type { ErrorShape, PlainRoute, PlainRoutes } from '../http/route-types.js';
import { SECURITY_HEADER_LIST } from '../http/security-headers.js';
import { gatewayErrorAnswer, toGatewayError } from './error-handler.js';
import type { RequestErrorReport } from './error-handler.js';
import { writeLaneAnswer, type AnsweredRequest, type RequestLane } from './request-lane.js';
import type { RequestsPerClient } from './guards/requests-per-client.js';

/** Body types the lane reads; any other goes to the framework (which reads every type as bytes). */
const JSON_TYPES = new Set(['application/json', 'application/json; charset=utf-8']);

/** A declared body length: 1 to 15 decimal digits (Node has already refused malformed ones). */
const DECLARED_LENGTH = /^[1-9][0-9]{0,14}$/;

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/**
 * Whether a request is one the lane may read: a `POST` with a JSON body of declared length within
 * the body limit, sent whole (no chunked framing) and not from a browser page (no `Origin`).
 * Everything the framework would refuse or treat specially (oversize or chunked bodies, other
 * media types, a query string, browser origins) fails one of these and goes to the framework.
 */
export function isPlainPost(
  request: { method?: string | undefined; headers: IncomingHttpHeaders },
  maxBodyBytes: number,
): boolean {
  const { headers } = request;
  const declared = headers['content-length'];
  const type = headers['content-type'];
  return (
    request.method === 'POST' &&
    declared !== undefined &&
    DECLARED_LENGTH.test(declared) &&
    Number(declared) <= maxBodyBytes &&
    headers['transfer-encoding'] === undefined &&
    type !== undefined &&
    JSON_TYPES.has(type.toLowerCase()) &&
    headers.origin === undefined
  );
}

/** A registered plain route, by path. */
interface Entry {
  route: PlainRoute;
  path: string;
  errorShape: ErrorShape | undefined;
}

/** The table createApp hands to route registrars (`app.plainRoutes`) and to the lane. */
export class PlainRouteTable implements PlainRoutes {
  private readonly entries = new Map<string, Entry>();

  add(path: string, route: PlainRoute, errorShape?: ErrorShape): void {
    this.entries.set(path, { route, path, errorShape });
  }

  get(url: string | undefined): Entry | undefined {
    return url === undefined ? undefined : this.entries.get(url);
  }
}

/** Options for createPlainLane. */
export interface PlainLaneOptions {
  routes: PlainRouteTable;
  maxBodyBytes: number;
  /** `gateway.request_timeout_secs` in ms: the same deadline as the framework's guard. */
  timeoutMs: number;
  isHostAllowed: (host: string | undefined) => boolean;
  requestIdFor: (incoming: string | string[] | undefined, peerIp: string | undefined) => string;
  clientKeyOf: (request: IncomingMessage) => string;
  /** The per-client cap of requests in progress, shared with the framework's guard. */
  requestsPerClient: Pick<RequestsPerClient, 'mayStart' | 'take'>;
  isClosing: () => boolean;
  /** Where answers finished while requests are being read wait to be written together. */
  batch: AnswerBatch;
  /** Metrics and the access log line, as for every other answer. */
  onAnswered: (answered: AnsweredRequest) => void;
  /** Logs a failed request as the framework's error handler does. */
  onFailed: (report: RequestErrorReport) => void;
}

/**
 * The plain lane: `POST` routes that declared a PlainRoute, answered straight on node:http with
 * the status, headers and body their framework routes give, under the same guards — the Host
 * check, the per-client cap, the request timeout, the work signal a disconnect aborts — and with
 * the same metrics, access log line and error logging. The framework's hook chain, request and
 * reply objects and body parser cost more than the whole answer of a `/webhook` turn; this lane
 * takes them off the most frequent request. Answers go out with the others of their loop turn
 * (AnswerBatch). A request the lane does not take (see isPlainPost,
 * PlainRoute.admits) reaches the framework untouched, its body still unread.
 */
export function createPlainLane(options: PlainLaneOptions): RequestLane {
  const { routes, maxBodyBytes, isHostAllowed, requestIdFor, clientKeyOf, requestsPerClient } =
    options;
  return function plainLane(request, response) {
    const entry = routes.get(request.url);
    if (
      entry === undefined ||
      !isPlainPost(request, maxBodyBytes) ||
      !entry.route.admits(request.headers) ||
      options.isClosing() ||
      !isHostAllowed(request.headers.host)
    ) {
      return false;
    }
    let clientKey: string;
    let requestId: string;
    try {
      clientKey = clientKeyOf(request);
      if (!requestsPerClient.mayStart(() => clientKey)) return false;
      requestId = requestIdFor(request.headers['x-request-id'], request.socket.remoteAddress);
    } catch {
      // Nothing is read or sent yet: the framework answers, with its error handling.
      return false;
    }
    requestsPerClient.take(clientKey, response);
    serve(options, entry, request, response, clientKey, requestId);
    return true;
  };
}

/** One exchange of the lane: read the body, answer, and keep the guards' promises meanwhile. */
function serve(
  options: PlainLaneOptions,
  entry: Entry,
  request: IncomingMessage,
  response: ServerResponse,
  clientKey: string,
  requestId: string,
): void {
  const startedAt = performance.now();
  const work = new CancelController();
  const method = 'POST';

  /** This request's loop turn, once its body is read and the route is working on it. */
  let turn: BatchTurn | undefined;

  function send(status: number, body: string, headers: Readonly<Record<string, string>>): void {
    options.batch.write(turn, () => write(status, body, headers));
  }

  function write(status: number, body: string, headers: Readonly<Record<string, string>>): void {
    clearTimeout(timer);
    const list = [...SECURITY_HEADER_LIST, 'x-request-id', requestId];
    for (const name in headers) list.push(name, headers[name] as string);
    list.push('content-type', JSON_CONTENT_TYPE, 'content-length', String(Buffer.byteLength(body)));
    // Checked as it is written (writeLaneAnswer): a timeout or a disconnect may come first.
    writeLaneAnswer(response, status, list, body, () =>
      options.onAnswered({
        route: entry.path,
        method,
        status,
        durationMs: performance.now() - startedAt,
        requestId,
        request,
      }),
    );
  }

  function report(error: unknown, gatewayError: GatewayError): void {
    try {
      options.onFailed({ error, gatewayError, requestId, method, route: entry.path });
    } catch {
      // The client still gets its answer; the observer reports its own failures.
    }
  }

  function fail(error: unknown): void {
    const gatewayError = toGatewayError(error);
    report(error, gatewayError);
    if (response.headersSent) {
      // Too late for an error body; cut the response so the client sees it as incomplete.
      response.destroy();
      return;
    }
    const answer = gatewayErrorAnswer(gatewayError, requestId, entry.errorShape);
    send(answer.status, JSON.stringify(answer.body), answer.headers);
  }

  const timer = setTimeout(() => {
    if (response.writableEnded) return;
    const error = new GatewayError('REQUEST_TIMEOUT');
    work.abort(error);
    // The 408 goes out now, ahead of any answer still waiting in a batch (which then finds the
    // response ended): the client gets the timeout the log reports.
    turn = undefined;
    // A 408 closes the connection (gatewayErrorAnswer): the client may still be sending a body.
    fail(error);
  }, options.timeoutMs);

  response.on('close', () => {
    clearTimeout(timer);
    if (response.writableFinished) return;
    work.abort(new GatewayError('MESSAGE_CANCELLED'));
    if (!request.complete) {
      // The body was cut off: logged as the framework's body parser reports it.
      const error = new Error('aborted');
      report(error, toGatewayError(error));
    }
  });

  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.once('end', () => {
    // Answered already (the timeout) or the client is gone: the framework would not run the
    // handler either, and it would spend a rate-limit slot and an authentication attempt.
    if (response.writableEnded || work.signal.aborted) return;
    turn = options.batch.joinFor(response);
    const rawBody = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
    let answered: Promise<object>;
    try {
      answered = entry.route.answer({
        method,
        url: entry.path,
        headers: request.headers,
        query: {},
        rawBody,
        clientKey,
        workSignal: work.signal,
      });
    } catch (error) {
      fail(error);
      return;
    }
    answered.then(
      (answer) => {
        if (response.writableEnded) return;
        let body: string;
        try {
          body = JSON.stringify(answer);
        } catch (error) {
          // What cannot be serialized (a BigInt, a cycle) is a 500, as in the framework.
          fail(error);
          return;
        }
        send(200, body, {});
      },
      (error: unknown) => {
        if (!response.writableEnded) fail(error);
      },
    );
  });
}
