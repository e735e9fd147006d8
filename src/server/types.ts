import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Observer } from '../observability/types.js';
import type { HealthRegistry } from '../runtime/types.js';
import type { RouteRegistrar } from '../http/route-types.js';

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
  /** Feature routes, registered after the core routes. */
  routes?: RouteRegistrar[];
}
