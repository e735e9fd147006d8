import type { Config } from '../config/schema.js';
import { createTunnel } from '../tunnel/index.js';
import type { TunnelHealth, TunnelLogger, TunnelTarget } from '../tunnel/index.js';

/** Dependencies of wireTunnel. */
export interface TunnelWiringOptions {
  config: Config;
  env: Readonly<Record<string, string | undefined>>;
  logger: TunnelLogger;
  health: TunnelHealth;
}

/** The configured tunnel as start-up sees it; every method is a no-op with `provider = "none"`. */
export interface TunnelWiring {
  /** Starts the tunnel toward the bound address and resolves with its public URL. */
  start(target: TunnelTarget): Promise<string | undefined>;
  /** The public URL right now: undefined without a tunnel, before start, or while it restarts. */
  currentUrl(): string | undefined;
  stop(): Promise<void>;
}

/**
 * The supervised tunnel of `[tunnel]`, created but not started. `start` throws a
 * TunnelStartError (exit code 2) when the binary is missing or prints no URL in time.
 */
export function wireTunnel(options: TunnelWiringOptions): TunnelWiring {
  const { config, env, logger, health } = options;
  const tunnel = createTunnel(config.tunnel, { env, logger, health });
  return {
    start: async (target) => (tunnel === undefined ? undefined : tunnel.start(target)),
    currentUrl: () => tunnel?.url(),
    stop: async () => tunnel?.stop(),
  };
}
