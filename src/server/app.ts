import { NO_ROUTE_SCHEMAS } from './no-route-schemas.js';
import type { IncomingHttpHeaders } from 'node:http';
import Fastify from 'fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  clientErrorHandler,
  createErrorHandler,
  frameworkErrorHandler,
  reportRequestError,
} from './error-handler.js';
import { contentLengthGuard } from './guards/body-limit.js';
import { createEdgePolicy } from '../http/edge-policy.js';
import { resolveClientAddress } from '../http/client-address.js';
import { normalizeHost } from './bind-policy.js';
import { capConnections } from './guards/connection-caps.js';
import { refuseWhileClosing } from './guards/closing.js';
import { AnswerBatch } from './answer-batch.js';
import { chainGuards } from './guards/guard-chain.js';
import { requireKnownHost } from './guards/host-check.js';
import { limitRequestsPerClient } from './guards/requests-per-client.js';
import { decorateWorkSignal, requestTimeout } from './guards/timeout.js';
import { createNotFoundHandler } from './not-found.js';
import { registerRawBody } from './raw-body.js';
import { RouteTable } from './route-table.js';
import { createProbeAnswers, healthRoutes, type HealthRouteOptions } from './routes/health.js';
import { offerRequestsToLane, type AnsweredRequest } from './request-lane.js';
import { createProbeLane } from './probe-lane.js';
import { createPlainLane, PlainRouteTable } from './plain-lane.js';
import { metricsRoutes } from './routes/metrics.js';
import { securityHeaders } from '../http/security-headers.js';
import { createRequestIdSource } from '../observability/request-id.js';
import type { AppDeps } from './types.js';

/** Internal knobs, for tests that cannot wait whole seconds. */
export interface CreateAppOptions {
  /** Overrides `gateway.request_timeout_secs`. */
  requestTimeoutMs?: number;
  /** Overrides `gateway.body_timeout_secs`. */
  bodyTimeoutMs?: number;
}

/** How often Node looks for requests past the body deadline (its default is 30 s). */
const BODY_DEADLINE_CHECK_MS = 500;

/** Route label for requests that matched no route, keeping metric label cardinality bounded. */
export const UNMATCHED_ROUTE = 'unmatched';

const kClientKey = Symbol('gatehouse.clientKey');
type WithClientKey = FastifyRequest & { [kClientKey]?: string };

/**
 * Builds the HTTP app: guards (security headers, body limit, timeout), the error handler, 404/405,
 * /health and /metrics, then each feature registrar in order. The caller listens.
 */
export async function createApp(
  deps: AppDeps,
  options: CreateAppOptions = {},
): Promise<FastifyInstance> {
  const { config, logger, observer } = deps;
  const gateway = config.gateway;
  const edge =
    deps.edge ?? createEdgePolicy({ gateway, boundAddress: normalizeHost(gateway.host) });
  const bodyTimeoutMs = options.bodyTimeoutMs ?? gateway.body_timeout_secs * 1000;
  const requestTimeoutMs = options.requestTimeoutMs ?? gateway.request_timeout_secs * 1000;
  const requestIdFor = createRequestIdSource({
    trustRequestId: deps.trustRequestId ?? (() => false),
  });
  const { isTrustedProxy } = edge;
  const clientKeyOf = (request: {
    socket: { remoteAddress?: string | undefined };
    headers: IncomingHttpHeaders;
  }) =>
    resolveClientAddress({
      peerIp: request.socket.remoteAddress,
      headers: request.headers,
      isTrustedProxy,
    });
  const requestsPerClient = limitRequestsPerClient(gateway.max_requests_per_client);
  const accessLog = config.observability.access_log;
  /** Metrics and the access log line of one finished request, whichever path answered it. */
  function recordRequest(
    answered: Omit<AnsweredRequest, 'request'>,
    clientKey: () => string,
  ): void {
    const { route, method, status, durationMs } = answered;
    observer.record({ type: 'RequestLatency', route, method, status, durationMs });
    if (accessLog) {
      // The route pattern, never the URL: a query string could carry a token or a code.
      logger.info(
        {
          reqId: answered.requestId,
          method,
          route,
          status,
          durationMs: Math.round(durationMs * 1000) / 1000,
          client: clientKey(),
        },
        'request',
      );
    }
  }
  const probeOptions: HealthRouteOptions = {
    health: deps.health,
    isPaired: deps.isPaired,
    ...(deps.isShuttingDown === undefined ? {} : { isShuttingDown: deps.isShuttingDown }),
    instanceId: deps.instanceId,
  };
  const probeAnswers = createProbeAnswers(probeOptions);
  let closing = false;
  // One batch for both lanes: probes and webhooks answered in the same loop turn go out together.
  const answerBatch = new AnswerBatch();
  const probeLane = createProbeLane({
    answers: probeAnswers,
    isHostAllowed: edge.isHostAllowed,
    requestIdFor,
    mayStart: (request) => requestsPerClient.mayStart(() => clientKeyOf(request)),
    isClosing: () => closing,
    batch: answerBatch,
    onAnswered: (answered) => recordRequest(answered, () => clientKeyOf(answered.request)),
  });
  const app = Fastify({
    // Our own choice of id: the header is believed only from a trusted proxy.
    requestIdHeader: false,
    genReqId: (raw) => requestIdFor(raw.headers['x-request-id'], raw.socket.remoteAddress),
    // Per-request logging through Fastify costs far more than the routing itself; the error
    // handler logs what matters through deps.logger.
    logger: false,
    bodyLimit: gateway.max_body_bytes,
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
    // Requests arriving during the drain are refused by refuseWhileClosing instead, in the
    // gateway's error format and with the headers every answer carries.
    return503OnClosing: false,
    schemaController: NO_ROUTE_SCHEMAS,
    // Node answers 408 and closes the socket when a request (headers and body) is not complete
    // within this time: a slow-body sender cannot hold a socket until the handler's timeout.
    requestTimeout: bodyTimeoutMs,
    http: { connectionsCheckingInterval: Math.min(BODY_DEADLINE_CHECK_MS, bodyTimeoutMs) },
  });
  app.server.headersTimeout = Math.min(app.server.headersTimeout, bodyTimeoutMs);
  const plainRoutes = new PlainRouteTable();
  const errorReporting = { logger, observer };
  const plainLane = createPlainLane({
    routes: plainRoutes,
    maxBodyBytes: gateway.max_body_bytes,
    timeoutMs: requestTimeoutMs,
    isHostAllowed: edge.isHostAllowed,
    requestIdFor,
    clientKeyOf,
    requestsPerClient,
    isClosing: () => closing,
    batch: answerBatch,
    onAnswered: (answered) => recordRequest(answered, () => clientKeyOf(answered.request)),
    onFailed: (report) => reportRequestError(errorReporting, report),
  });
  offerRequestsToLane(
    app.server,
    (request, response) => probeLane(request, response) || plainLane(request, response),
  );
  app.decorate('plainRoutes', plainRoutes);
  const detachCaps = capConnections(app.server, {
    maxConnections: gateway.max_connections,
    maxPerPeer: gateway.max_connections_per_client,
    isExempt: edge.isTrustedProxy,
  });
  app.addHook('onClose', async () => detachCaps());
  app.addHook('preClose', function closeProbeLane(done) {
    closing = true;
    done();
  });

  const routeTable = new RouteTable();
  app.addHook('onRoute', (route) => routeTable.add(route.method, route.url));

  decorateWorkSignal(app);
  app.decorateRequest('clientKey', {
    // Derived on first use: routes that never rate-limit (health, metrics) never pay for it.
    getter(this: FastifyRequest): string {
      const self = this as WithClientKey;
      self[kClientKey] ??= clientKeyOf(this);
      return self[kClientKey];
    },
    setter(this: FastifyRequest, value: string): void {
      (this as WithClientKey)[kClientKey] = value;
    },
  });
  registerRawBody(app);

  // In this order: an answer from any later guard carries the security headers and request id.
  app.addHook(
    'onRequest',
    chainGuards([
      securityHeaders,
      function echoRequestId(request, reply, done) {
        reply.header('x-request-id', request.id);
        done();
      },
      refuseWhileClosing(() => closing),
      requireKnownHost(edge.isHostAllowed),
      requestsPerClient.hook,
      contentLengthGuard({ maxBytes: gateway.max_body_bytes }),
      requestTimeout({
        timeoutMs: requestTimeoutMs,
      }),
    ]),
  );
  app.addHook('onResponse', function recordLatency(request, reply, done) {
    const route = request.is404 ? UNMATCHED_ROUTE : (request.routeOptions.url ?? UNMATCHED_ROUTE);
    recordRequest(
      {
        route,
        method: request.method,
        status: reply.statusCode,
        durationMs: reply.elapsedTime,
        requestId: request.id,
      },
      () => request.clientKey,
    );
    done();
  });

  app.setErrorHandler(createErrorHandler(errorReporting));
  app.setNotFoundHandler(createNotFoundHandler(routeTable));

  await healthRoutes(probeOptions, probeAnswers)(app);
  await metricsRoutes(deps.metrics)(app);
  for (const registrar of deps.routes ?? []) await registrar(app);
  return app;
}
