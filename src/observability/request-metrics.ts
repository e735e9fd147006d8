import { createCounterFamily, createHistogramFamily } from './plain-metrics.js';

/**
 * The two per-request instruments, `<prefix>http_requests_total{route,method,status}` and
 * `<prefix>request_latency_seconds{route}`, kept as plain numbers (plain-metrics.ts) and rendered
 * in the Prometheus text format at scrape time. They are updated on every request, the probe
 * lane's included.
 */
export interface RequestMetrics {
  record(route: string, method: string, status: number, durationMs: number): void;
  /** Both metric families in the text exposition format (0.0.4), ending with a newline. */
  render(): string;
}

/** Options for createRequestMetrics. */
export interface RequestMetricsOptions {
  prefix: string;
  /** Upper bounds of the latency buckets, in seconds, ascending. */
  buckets: readonly number[];
}

export function createRequestMetrics(options: RequestMetricsOptions): RequestMetrics {
  const { prefix, buckets } = options;
  const requests = createCounterFamily({
    name: `${prefix}http_requests_total`,
    help: 'HTTP requests by route pattern, method and status',
    labelNames: ['route', 'method', 'status'],
  });
  const latency = createHistogramFamily({
    name: `${prefix}request_latency_seconds`,
    help: 'HTTP request latency by route pattern',
    labelNames: ['route'],
    buckets,
  });
  return {
    record(route, method, status, durationMs) {
      requests.child(route, method, String(status)).inc();
      latency.child(route).observe(durationMs / 1000);
    },
    render: () => `${requests.render()}\n${latency.render()}`,
  };
}
