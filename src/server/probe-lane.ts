import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import { SECURITY_HEADER_LIST } from '../http/security-headers.js';
import type { AnswerBatch } from './answer-batch.js';
import { writeLaneAnswer, type AnsweredRequest, type RequestLane } from './request-lane.js';
import { PROBE_CONTENT_TYPE, type ProbeAnswer, type ProbeAnswers } from './routes/health.js';

/** Options for createProbeLane. */
export interface ProbeLaneOptions {
  answers: ProbeAnswers;
  /** The Host check every route applies. */
  isHostAllowed: (host: string | undefined) => boolean;
  /** The id of this request (see createRequestIdSource). */
  requestIdFor: (incoming: string | string[] | undefined, peerIp: string | undefined) => string;
  /** Whether this request's client is still under its cap of requests in progress. */
  mayStart: (request: IncomingMessage) => boolean;
  /** True from the moment the server starts closing. */
  isClosing: () => boolean;
  /** Where answers wait to be written together with the others of the loop turn. */
  batch: AnswerBatch;
  onAnswered: (answered: AnsweredRequest) => void;
}

const PROBES: ReadonlyMap<string, (answers: ProbeAnswers) => ProbeAnswer | undefined> = new Map([
  ['/health', (answers: ProbeAnswers) => answers.health()],
  ['/livez', (answers: ProbeAnswers) => answers.livez()],
  ['/readyz', (answers: ProbeAnswers) => answers.readyz()],
]);

/**
 * Whether the lane may answer this request itself: a plain GET of a probe path with no body, for
 * an allowed Host, from a client under its cap, while the server is not closing. Anything else
 * (HEAD, a query string, a body, a refusal) goes to the framework, which answers it as before.
 */
export function isPlainProbe(
  request: Pick<IncomingMessage, 'method' | 'url' | 'headers'>,
  isHostAllowed: (host: string | undefined) => boolean,
): boolean {
  const { headers } = request;
  return (
    request.method === 'GET' &&
    request.url !== undefined &&
    PROBES.has(request.url) &&
    headers['content-length'] === undefined &&
    headers['transfer-encoding'] === undefined &&
    isHostAllowed(headers.host)
  );
}

/**
 * The probe lane: `/health`, `/livez` and `/readyz` answered straight on node:http, with the same
 * status, headers, body, request id, metrics and access log line as their framework routes.
 * Health checks are polled by every balancer and orchestrator; the framework's hook chain and
 * reply pipeline cost more than the answer itself. The body goes out with the headers in one
 * write, with the other answers of the loop turn (AnswerBatch) unless it is queued behind
 * another answer on its connection.
 *
 * One difference remains, on purpose: a probe answered here is done within the loop turn it
 * arrived in, so it is never counted as in progress against the client's cap. Probes pipelined
 * behind a slow request are therefore answered (their responses wait in the socket, which Node
 * pauses once enough are queued) where the framework would have refused the ones past the cap
 * with 429.
 */
export function createProbeLane(options: ProbeLaneOptions): RequestLane {
  const { answers, isHostAllowed, requestIdFor, mayStart, isClosing, batch, onAnswered } = options;
  return function probeLane(request, response) {
    if (!isPlainProbe(request, isHostAllowed) || isClosing() || !mayStart(request)) return false;
    const startedAt = performance.now();
    const url = request.url as string;
    let probe: ProbeAnswer | undefined;
    let requestId: string;
    try {
      probe = PROBES.get(url)?.(answers);
      if (probe === undefined) return false;
      requestId = requestIdFor(request.headers['x-request-id'], request.socket.remoteAddress);
    } catch {
      // Nothing is sent yet: the framework route answers, with its error handling and logging.
      return false;
    }
    const answer = probe;
    batch.write(batch.joinFor(response), () =>
      writeLaneAnswer(
        response,
        answer.statusCode,
        // In the order the framework writes them: security headers, request id, the route's own.
        [
          ...SECURITY_HEADER_LIST,
          'x-request-id',
          requestId,
          'cache-control',
          'no-store',
          'content-type',
          PROBE_CONTENT_TYPE,
          'content-length',
          String(answer.byteLength),
        ],
        answer.body,
        () =>
          onAnswered({
            route: url,
            method: 'GET',
            status: answer.statusCode,
            durationMs: performance.now() - startedAt,
            requestId,
            request,
          }),
      ),
    );
    return true;
  };
}
