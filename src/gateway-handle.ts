import type { FastifyInstance } from 'fastify';
import type { DestinationStream, Logger } from 'pino';
import type { Env } from './config/paths.js';
import type { Config } from './config/schema.js';
import type { ReloadHub } from './runtime/reload-hub.js';

export interface StartGatewayOptions {
  configPath?: string | undefined;
  hostOverride?: string | undefined;
  portOverride?: number | undefined;
  strict?: boolean;
  env: Env;
  /** Receives the single `gatehouse listening on …` line. */
  stdout: { write(line: string): unknown; isTTY?: boolean };
  /** Where log lines go instead of process stdout (tests capture them here). */
  logDestination?: DestinationStream;
  /**
   * Called with the running gateway just before the start-up lines are printed, so whoever acts
   * on those lines (a signal sent on the listening line) finds the gateway ready to close.
   */
  onRunning?: (handle: GatewayHandle) => void;
}

/** A running gateway. */
export interface GatewayHandle {
  app: FastifyInstance;
  /** `http://HOST:PORT` with the port actually bound. */
  url: string;
  config: Config;
  /** State directory (memory.db, inbox.db, secrets). */
  home: string;
  /** `gateway.instance_id`, or hostname-pid. */
  instanceId: string;
  logger: Logger;
  /** The tunnel's public URL right now (undefined without a tunnel or while it restarts). */
  tunnelUrl(): string | undefined;
  /** Re-reads the config (SIGHUP, `gatehouse reload`); features register hooks on it. */
  reloads: ReloadHub;
  /** Graceful stop: drain in-flight requests (up to the shutdown timeout), then close the rest. */
  close(): Promise<void>;
  /** Reopens the audit log file after rotation (for a SIGHUP handler); no-op without one. */
  reopenAuditLog(): void;
}
