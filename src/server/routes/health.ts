import type { HealthRegistry } from '../../runtime/types.js';
import type { RouteRegistrar } from '../types.js';

/** Options for healthRoutes. */
export interface HealthRouteOptions {
  health: HealthRegistry;
  isPaired: () => boolean;
}

/** `GET /health`: public; component states only, never configuration or secrets. */
export function healthRoutes(options: HealthRouteOptions): RouteRegistrar {
  const { health, isPaired } = options;
  return function registerHealthRoutes(app) {
    app.get('/health', async function getHealth(_request, reply) {
      // Always 200: the body carries the state, so a probe can read why it is not ok.
      reply.header('cache-control', 'no-store');
      return { status: health.overall(), paired: isPaired(), runtime: health.snapshot() };
    });
  };
}
