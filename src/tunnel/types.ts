/** Providers gatehouse can start; `tunnel.provider` minus `none`. */
export type TunnelProviderName = 'cloudflare' | 'tailscale' | 'ngrok' | 'custom';

/** Where the tunnel forwards to: the address and port the gateway is bound to. */
export interface TunnelTarget {
  /** Bound address as passed to listen() (no brackets); `0.0.0.0` and `::` are allowed. */
  host: string;
  port: number;
}

/**
 * How one provider is launched and how its public URL is recognised. Built by a pure function per
 * provider, so argv, env and URL extraction are tested without spawning anything.
 */
export interface TunnelLaunch {
  provider: TunnelProviderName;
  /** Executable: a path, or a name looked up on PATH. */
  binary: string;
  args: string[];
  /** Added to the child's environment; secrets go here, never into `args` (`ps` shows argv). */
  env: Record<string, string>;
  /** The public URL announced by one line of stdout or stderr, or undefined. */
  findUrl(line: string): string | undefined;
}

/** `starting` until the first URL; `degraded` while a crashed child is being restarted. */
export type TunnelStatus = 'starting' | 'ok' | 'degraded' | 'stopped';

/** The Tunnel port: a supervised child process that gives the gateway a public URL. */
export interface Tunnel {
  readonly provider: TunnelProviderName;
  /**
   * Spawns the child pointed at `target` and resolves with the public URL it announces.
   * @throws TunnelStartError when the binary is missing, the child exits, or no URL appears in time
   */
  start(target: TunnelTarget): Promise<string>;
  /** The public URL while the child has one; undefined while starting or restarting. */
  url(): string | undefined;
  status(): TunnelStatus;
  /** Stops supervising: SIGTERM, then SIGKILL after the grace period. Idempotent. */
  stop(): Promise<void>;
}

/** The log calls the supervisor makes (pino's Logger fits). */
export interface TunnelLogger {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
  debug(object: object, message: string): void;
}

/** The part of the health registry the tunnel reports into (component `tunnel`). */
export interface TunnelHealth {
  report(component: string, status: 'starting' | 'ok' | 'degraded', error?: unknown): void;
  markRestart(component: string): void;
  setUrl(component: string, url: string | undefined): void;
}
