import { ConfigError } from '../config/config-error.js';
import type { TunnelProviderName } from './types.js';

/**
 * The tunnel could not be brought up at start-up. It is a ConfigError (exit code 2, one line on
 * stderr) because the fix is the operator's: install the tool, point `binary` at it, or give it
 * more time. A public bind that relies on the tunnel must not stay open without it.
 */
export class TunnelStartError extends ConfigError {
  constructor(provider: TunnelProviderName, binary: string, problem: string) {
    super(`tunnel error: provider ${provider}, binary ${JSON.stringify(binary)}: ${problem}`);
    this.name = 'TunnelStartError';
  }
}

/** What went wrong when spawning failed (`spawn` reports ENOENT, EACCES…). */
export function spawnProblem(provider: TunnelProviderName, error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const fix = `install it or set tunnel.${provider}.binary`;
  if (code === 'ENOENT') return `not found (${fix})`;
  if (code === 'EACCES') return `is not executable (${fix})`;
  return `could not be started: ${code ?? String(error)}`;
}
