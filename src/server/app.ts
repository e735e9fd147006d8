import Fastify from 'fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { clientErrorHandler, createErrorHandler, frameworkErrorHandler } from './error-handler.js';
import { contentLengthGuard } from './guards/body-limit.js';
import { deriveClientKey } from '../http/client-key.js';
import { decorateWorkSignal, requestTimeout } from './guards/timeout.js';
import { createNotFoundHandler } from './not-found.js';
import { registerRawBody } from './raw-body.js';
import { RouteTable } from './route-table.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { securityHeaders } from '../http/security-headers.js';
import type { AppDeps } from './types.js';

/** Internal knobs, for tests that cannot wait whole seconds. */
export interface CreateAppOptions {
  /** Overrides `gateway.request_timeout_secs`. */
  requestTimeoutMs?: number;
}

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
  const app = Fastify({
    // Per-request logging through Fastify costs far more than the routing itself; the error
    // handler logs what matters through deps.logger.
    logger: false,
    bodyLimit: gateway.max_body_bytes,
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
    return503OnClosing: true,
  });

  const routeTable = new RouteTable();
  app.addHook('onRoute', (route) => routeTable.add(route.method, route.url));

  decorateWorkSignal(app);
  const trustForwarded = gateway.trust_forwarded_headers;
  app.decorateRequest('clientKey', {
    // Derived on first use: routes that never rate-limit (health, metrics) never pay for it.
    getter(this: FastifyRequest): string {
      const self = this as WithClientKey;
      self[kClientKey] ??= deriveClientKey({
        peerIp: this.socket.remoteAddress,
        headers: this.headers,
        trustForwarded,
      });
      return self[kClientKey];
    },
    setter(this: FastifyRequest, value: string): void {
      (this as WithClientKey)[kClientKey] = value;
    },
  });
  registerRawBody(app);

  app.addHook('onRequest', securityHeaders);
  app.addHook('onRequest', contentLengthGuard({ maxBytes: gateway.max_body_bytes }));
  app.addHook(
    'onRequest',
    requestTimeout({ timeoutMs: options.requestTimeoutMs ?? gateway.request_timeout_secs * 1000 }),
  );
  app.addHook('onResponse', function recordLatency(request, reply, done) {
    observer.record({
      type: 'RequestLatency',
      route: request.is404 ? UNMATCHED_ROUTE : (request.routeOptions.url ?? UNMATCHED_ROUTE),
      method: request.method,
      status: reply.statusCode,
      durationMs: reply.elapsedTime,
    });
    done();
  });

  app.setErrorHandler(createErrorHandler({ logger, observer }));
  app.setNotFoundHandler(createNotFoundHandler(routeTable));

  await healthRoutes({ health: deps.health, isPaired: deps.isPaired })(app);
  await metricsRoutes(deps.metrics)(app);
  for (const registrar of deps.routes ?? []) await registrar(app);
  return app;
}
