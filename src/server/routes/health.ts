import type { HealthRegistry } from '../../runtime/types.js';
import type { RouteRegistrar } from '../types.js';

/** Options for healthRoutes. */
export interface HealthRouteOptions {
  health: HealthRegistry;
  isPaired: () => boolean;
  /** Shown as `instance_id`, so a probe behind a balancer knows which instance answered. */
  instanceId?: string | undefined;
}

/**
 * Components without which the gateway cannot serve at all: when one is in `error`, /health
 * answers 503 so a balancer takes the instance out of rotation.
 */
const CRITICAL_COMPONENTS = ['redis'];

/** `GET /health`: public; component states only, never configuration or secrets. */
export function healthRoutes(options: HealthRouteOptions): RouteRegistrar {
  const { health, isPaired, instanceId } = options;
  return function registerHealthRoutes(app) {
    app.get('/health', async function getHealth(_request, reply) {
      // 200 unless a critical component is down: the body carries the state, so a probe can
      // read why it is not ok.
      reply.header('cache-control', 'no-store');
      const runtime = health.snapshot();
      const down = CRITICAL_COMPONENTS.some((name) => runtime[name]?.status === 'error');
      if (down) reply.code(503);
      return {
        status: health.overall(),
        ...(instanceId === undefined ? {} : { instance_id: instanceId }),
        paired: isPaired(),
        runtime,
      };
    });
  };
}
