/**
 * The two per-request instruments, `<prefix>http_requests_total{route,method,status}` and
 * `<prefix>request_latency_seconds{route}`, kept as plain numbers and rendered in the Prometheus
 * text format at scrape time.
 *
 * They are updated on every request, the probe lane's included; prom-client validates and hashes
 * the label set on every update (even through a labelled child), which cost more than answering
 * a probe. Here an update is one map lookup, a bucket search and three additions.
 */
export interface RequestMetrics {
  record(route: string, method: string, status: number, durationMs: number): void;
  /** Both metric families in the text exposition format (0.0.4), ending with a newline. */
  render(): string;
}

interface CountSeries {
  labels: string;
  count: number;
}

interface LatencySeries {
  route: string;
  /** Observations per bucket, not cumulative; the last slot is above every bound. */
  buckets: Float64Array;
  sum: number;
  count: number;
}

/** Escapes a label value as the exposition format requires (backslash, quote, newline). */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** Options for createRequestMetrics. */
export interface RequestMetricsOptions {
  prefix: string;
  /** Upper bounds of the latency buckets, in seconds, ascending. */
  buckets: readonly number[];
}

export function createRequestMetrics(options: RequestMetricsOptions): RequestMetrics {
  const { prefix } = options;
  const bounds = Float64Array.from(options.buckets);
  const counts = new Map<string, CountSeries>();
  const latencies = new Map<string, LatencySeries>();
  const requestsName = `${prefix}http_requests_total`;
  const latencyName = `${prefix}request_latency_seconds`;

  function countSeries(route: string, method: string, status: number): CountSeries {
    const key = `${route}\u0000${method}\u0000${status}`;
    let series = counts.get(key);
    if (series === undefined) {
      const labels = `route="${escapeLabelValue(route)}",method="${escapeLabelValue(method)}",status="${status}"`;
      series = { labels, count: 0 };
      counts.set(key, series);
    }
    return series;
  }

  function latencySeries(route: string): LatencySeries {
    let series = latencies.get(route);
    if (series === undefined) {
      series = { route, buckets: new Float64Array(bounds.length + 1), sum: 0, count: 0 };
      latencies.set(route, series);
    }
    return series;
  }

  function renderLatency(series: LatencySeries, lines: string[]): void {
    const route = `route="${escapeLabelValue(series.route)}"`;
    let cumulative = 0;
    for (let index = 0; index < bounds.length; index += 1) {
      cumulative += series.buckets[index] as number;
      lines.push(`${latencyName}_bucket{le="${bounds[index]}",${route}} ${cumulative}`);
    }
    lines.push(`${latencyName}_bucket{le="+Inf",${route}} ${series.count}`);
    lines.push(`${latencyName}_sum{${route}} ${series.sum}`);
    lines.push(`${latencyName}_count{${route}} ${series.count}`);
  }

  return {
    record(route, method, status, durationMs) {
      countSeries(route, method, status).count += 1;
      const series = latencySeries(route);
      const seconds = durationMs / 1000;
      let index = 0;
      while (index < bounds.length && seconds > (bounds[index] as number)) index += 1;
      series.buckets[index] = (series.buckets[index] ?? 0) + 1;
      series.sum += seconds;
      series.count += 1;
    },
    render() {
      const lines = [
        `# HELP ${requestsName} HTTP requests by route pattern, method and status`,
        `# TYPE ${requestsName} counter`,
      ];
      for (const series of counts.values())
        lines.push(`${requestsName}{${series.labels}} ${series.count}`);
      lines.push(
        '',
        `# HELP ${latencyName} HTTP request latency by route pattern`,
        `# TYPE ${latencyName} histogram`,
      );
      for (const series of latencies.values()) renderLatency(series, lines);
      return `${lines.join('\n')}\n`;
    },
  };
}
