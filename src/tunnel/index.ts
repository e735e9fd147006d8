export type {
  Tunnel,
  TunnelHealth,
  TunnelLaunch,
  TunnelLogger,
  TunnelProviderName,
  TunnelStatus,
  TunnelTarget,
} from './types.js';
export { createTunnel, tunnelLaunchFor } from './create-tunnel.js';
export type { CreateTunnelOptions } from './create-tunnel.js';
export { customTunnelProblem } from './custom.js';
export { TunnelStartError } from './tunnel-error.js';
