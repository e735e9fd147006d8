import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { EdgePolicy } from '../http/edge-policy.js';
import type { Observer } from '../observability/types.js';
import type { HealthRegistry } from '../runtime/types.js';
import type { RouteRegistrar } from '../http/route-types.js';
import type { CancelSignal } from '../core/cancel-signal.js';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * Aborts when the request times out (408) or the client goes away; pass it to downstream work
     * (provider calls) so nothing keeps running for a request nobody waits for.
     */
    workSignal: CancelSignal;
    /** Client address for limits and lockouts: the peer, or behind a trusted proxy the right-most untrusted hop. */
    clientKey: string;
    /** Exact received body bytes (empty when there was no body). */
    rawBody: Buffer;
  }
}
export type { RouteRegistrar } from '../http/route-types.js';

/** Renders the Prometheus exposition; null when the backend is not "prometheus". */
export interface MetricsExporter {
  readonly contentType: string;
  render(): Promise<string>;
}

/** Everything createApp needs; built by the composition root (main.ts). */
export interface AppDeps {
  config: Config;
  logger: Logger;
  observer: Observer;
  health: HealthRegistry;
  metrics: MetricsExporter | null;
  /** Whether any device is paired, for /health. */
  isPaired: () => boolean;
  /** Trusted proxies, Host check, public origins; derived from `config` when absent. */
  edge?: EdgePolicy;
  /**
   * Whether `X-Request-Id` from this peer is believed (a trusted proxy). Default: never, every
   * request gets a generated id.
   */
  trustRequestId?: (peerIp: string | undefined) => boolean;
  /** True once a graceful shutdown has begun (/readyz answers 503). */
  isShuttingDown?: () => boolean;
  /** `gateway.instance_id` (or hostname-pid), shown in /health. */
  instanceId?: string;
  /** Feature routes, registered after the core routes. */
  routes?: RouteRegistrar[];
}
