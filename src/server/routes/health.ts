import { GatewayError } from '../../errors.js';
import type { HealthRegistry } from '../../runtime/types.js';
import type { RouteRegistrar } from '../types.js';

/** Options for healthRoutes. */
export interface HealthRouteOptions {
  health: HealthRegistry;
  isPaired: () => boolean;
  /** True once a graceful shutdown has begun; /readyz then answers 503. */
  isShuttingDown?: () => boolean;
  /** Shown as `instance_id`, so a probe behind a balancer knows which instance answered. */
  instanceId?: string | undefined;
}

/**
 * Ready when no top-level component is still starting or has failed. A degraded component (an
 * unverifiable channel, say) still serves traffic, so it does not take the instance out.
 */
export function isReady(health: HealthRegistry): boolean {
  for (const component of Object.values(health.snapshot())) {
    if (component.status === 'starting' || component.status === 'error') return false;
  }
  return true;
}

/**
 * `GET /health` (component states, 503 when the overall status is `error`), `GET /livez` (the
 * process answers) and `GET /readyz` (503 until ready and once shutdown began). Public; never
 * configuration or secrets.
 */
export function healthRoutes(options: HealthRouteOptions): RouteRegistrar {
  const { health, isPaired, instanceId } = options;
  const instance = instanceId === undefined ? {} : { instance_id: instanceId };
  const isShuttingDown = options.isShuttingDown ?? (() => false);
  return function registerHealthRoutes(app) {
    // The serialized body is reused until a component reports or the paired flag flips: probes
    // and load balancers poll this route, and rebuilding the snapshot (a date string per
    // component) and stringifying it was most of its cost.
    let cached: { revision: number; paired: boolean; status: string; body: string } | undefined;
    app.get('/health', async function getHealth(_request, reply) {
      const revision = health.revision?.();
      const paired = isPaired();
      if (
        cached === undefined ||
        revision === undefined ||
        cached.revision !== revision ||
        cached.paired !== paired
      ) {
        const status = health.overall();
        const body = JSON.stringify({ status, ...instance, paired, runtime: health.snapshot() });
        cached = { revision: revision ?? -1, paired, status, body };
      }
      // The body carries the state either way, so a probe can read why it is not ok.
      return reply
        .header('cache-control', 'no-store')
        .type('application/json; charset=utf-8')
        .code(cached.status === 'error' ? 503 : 200)
        .send(cached.body);
    });
    app.get('/livez', async function getLivez(_request, reply) {
      reply.header('cache-control', 'no-store');
      return { status: 'alive' };
    });
    app.get('/readyz', async function getReadyz(_request, reply) {
      reply.header('cache-control', 'no-store');
      if (isShuttingDown()) throw new GatewayError('SERVICE_UNAVAILABLE');
      if (!isReady(health)) {
        reply.code(503);
        return { status: 'not_ready', overall: health.overall() };
      }
      return { status: 'ready' };
    });
  };
}
