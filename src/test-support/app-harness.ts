import type { FastifyInstance } from 'fastify';
import { configSchema } from '../config/schema.js';
import { createLogger } from '../observability/logger.js';
import { createMetrics } from '../observability/metrics.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import { createObserver } from '../observability/observer.js';
import type { ObserverEvent } from '../observability/types.js';
import { createHealthRegistry } from '../runtime/health-registry.js';
import type { HealthRegistry } from '../runtime/types.js';
import { createApp } from '../server/app.js';
import type { RouteRegistrar } from '../server/types.js';

/** Options for startTestApp. */
export interface TestAppOptions {
  /** Raw config (as if read from TOML); defaults fill the rest. */
  config?: Record<string, unknown>;
  /** Serve Prometheus metrics (default true). */
  metrics?: boolean;
  routes?: RouteRegistrar[];
  requestTimeoutMs?: number;
  isPaired?: () => boolean;
  isShuttingDown?: () => boolean;
  trustRequestId?: (peerIp: string | undefined) => boolean;
  /** Listen address (default 127.0.0.1). */
  host?: string;
}

/** A gateway app listening on 127.0.0.1 with a random port, plus what it reported. */
export interface TestApp {
  app: FastifyInstance;
  baseUrl: string;
  port: number;
  health: HealthRegistry;
  metrics: GatewayMetrics | null;
  events: ObserverEvent[];
  logLines: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

/** Builds the real app with in-memory deps and listens on port 0. */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const config = configSchema.parse(options.config ?? {});
  const logLines: Array<Record<string, unknown>> = [];
  const logger = createLogger({
    level: 'debug',
    destination: {
      write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>),
    },
  });
  const metrics = options.metrics === false ? null : createMetrics({ defaultMetrics: false });
  const events: ObserverEvent[] = [];
  const observer = createObserver({ metrics, logger, logEvents: false });
  const health = createHealthRegistry();
  const app = await createApp(
    {
      config,
      logger,
      observer: { record: (event) => (events.push(event), observer.record(event)) },
      health,
      metrics,
      isPaired: options.isPaired ?? (() => false),
      isShuttingDown: options.isShuttingDown ?? (() => false),
      ...(options.trustRequestId === undefined ? {} : { trustRequestId: options.trustRequestId }),
      routes: options.routes ?? [],
    },
    options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs },
  );
  await app.listen({ host: options.host ?? '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  let closed = false;
  return {
    app,
    port: address.port,
    baseUrl: `http://127.0.0.1:${address.port}`,
    health,
    metrics,
    events,
    logLines,
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
    },
  };
}
