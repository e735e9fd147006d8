import { PROMETHEUS_CONTENT_TYPE } from '../../observability/metrics.js';
import type { MetricsExporter, RouteRegistrar } from '../types.js';

/** The exact body of /metrics when the Prometheus backend is off. */
export const METRICS_DISABLED_BODY =
  '# Prometheus backend not enabled. Set [observability] backend = "prometheus" in config.';

/** `GET /metrics`: Prometheus text exposition, or a fixed note when the backend is off. */
export function metricsRoutes(metrics: MetricsExporter | null): RouteRegistrar {
  return function registerMetricsRoutes(app) {
    app.get('/metrics', async function getMetrics(_request, reply) {
      reply.header('cache-control', 'no-store');
      if (metrics === null) {
        return reply.type(PROMETHEUS_CONTENT_TYPE).send(METRICS_DISABLED_BODY);
      }
      const body = await metrics.render();
      return reply.type(metrics.contentType).send(body);
    });
  };
}
