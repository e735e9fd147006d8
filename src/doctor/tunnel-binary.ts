import type { Config } from '../config/schema.js';
import { splitCommandLine } from '../tunnel/custom.js';

/** Executable each provider runs when `[tunnel.<provider>] binary` is unset. */
const DEFAULT_BINARIES = {
  cloudflare: 'cloudflared',
  tailscale: 'tailscale',
  ngrok: 'ngrok',
} as const;

/**
 * The executable the configured tunnel runs and the key that sets it: the `binary` override,
 * else the provider's tool, else (custom) the first word of `command`. Undefined without a tunnel
 * or for a custom tunnel with no command.
 */
export function tunnelBinary(config: Config): { key: string; name: string } | undefined {
  const { tunnel } = config;
  if (tunnel.provider === 'none') return undefined;
  const key = `tunnel.${tunnel.provider}.binary`;
  const override = tunnel[tunnel.provider].binary;
  if (override !== undefined) return { key, name: override };
  if (tunnel.provider !== 'custom') return { key, name: DEFAULT_BINARIES[tunnel.provider] };
  const command = tunnel.custom.command;
  if (command === undefined) return undefined;
  let first: string | undefined;
  try {
    // Split as `start` splits it (quotes included), so both name the same executable.
    [first] = splitCommandLine(command);
  } catch {
    // An unparsable command: the tunnel-custom-incomplete finding reports it.
    return undefined;
  }
  return first === undefined ? undefined : { key: 'tunnel.custom.command', name: first };
}
