import type { TunnelConfig } from '../config/schema.js';
import { cloudflareLaunch } from './cloudflare.js';
import { customLaunch } from './custom.js';
import { ngrokLaunch } from './ngrok.js';
import type { RestartBackoff } from './restart-backoff.js';
import { superviseTunnel } from './supervisor.js';
import { tailscaleLaunch } from './tailscale.js';
import type { Tunnel, TunnelHealth, TunnelLaunch, TunnelLogger, TunnelTarget } from './types.js';

/** Dependencies of createTunnel. */
export interface CreateTunnelOptions {
  /** The gateway's environment (the child inherits it minus GATEHOUSE_* variables). */
  env: Readonly<Record<string, string | undefined>>;
  logger: TunnelLogger;
  health?: TunnelHealth;
  backoff?: RestartBackoff;
  stopGraceMs?: number;
}

/** The launch of the configured provider for `target`; undefined for `provider = "none"`. */
export function tunnelLaunchFor(
  config: TunnelConfig,
  target: TunnelTarget,
): TunnelLaunch | undefined {
  switch (config.provider) {
    case 'none':
      return undefined;
    case 'cloudflare':
      return cloudflareLaunch(config.cloudflare, target);
    case 'tailscale':
      return tailscaleLaunch(config.tailscale, target);
    case 'ngrok':
      return ngrokLaunch(config.ngrok, target);
    case 'custom':
      return customLaunch(config.custom, target);
  }
}

/**
 * The supervised tunnel `[tunnel]` configures, not yet started; undefined when the provider is
 * `none`. Call `start({ host, port })` once the gateway listens.
 */
export function createTunnel(
  config: TunnelConfig,
  options: CreateTunnelOptions,
): Tunnel | undefined {
  const provider = config.provider;
  if (provider === 'none') return undefined;
  return superviseTunnel({
    provider,
    launchFor: (target) => tunnelLaunchFor(config, target) as TunnelLaunch,
    startTimeoutMs: config.start_timeout_secs * 1000,
    env: options.env,
    logger: options.logger,
    health: options.health,
    backoff: options.backoff,
    stopGraceMs: options.stopGraceMs,
  });
}
