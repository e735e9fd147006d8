import type { GatewayHandle } from './gateway-handle.js';

/**
 * Added to twice `gateway.shutdown_timeout_secs` (and to `gateway.shutdown_delay_secs`) for the
 * whole close: the HTTP drain and the channels' stop may each take the timeout, and the stores
 * then write what is queued.
 */
export const SHUTDOWN_GRACE_MS = 5_000;

export interface GracefulStopOptions {
  /** The whole close must end within this; then the process exits 1 with the work unfinished. */
  deadlineMs: number;
  exit: (code: number) => void;
  stderr: { write(text: string): unknown };
}

/**
 * Closes the gateway and exits: 0 when the close finished, 1 when it failed or did not finish
 * by the deadline (a store whose server stopped answering, say), so a stop always ends.
 */
export function gracefulStop(handle: GatewayHandle, options: GracefulStopOptions): void {
  const { deadlineMs, exit, stderr } = options;
  const deadline = setTimeout(() => {
    stderr.write(
      `gatehouse: shutdown did not finish within ${deadlineMs / 1000} s; exiting with work unfinished\n`,
    );
    exit(1);
  }, deadlineMs);
  handle.close().then(
    () => {
      clearTimeout(deadline);
      exit(0);
    },
    (error: unknown) => {
      clearTimeout(deadline);
      stderr.write(`gatehouse: shutdown failed: ${String(error)}\n`);
      exit(1);
    },
  );
}

/** The deadline of the whole close for a gateway's config (see SHUTDOWN_GRACE_MS). */
export function shutdownDeadlineMs(handle: GatewayHandle): number {
  const { shutdown_delay_secs: delaySecs, shutdown_timeout_secs: timeoutSecs } =
    handle.config.gateway;
  return (delaySecs + 2 * timeoutSecs) * 1000 + SHUTDOWN_GRACE_MS;
}

/**
 * On the first SIGINT/SIGTERM: graceful close, then exit 0 (see gracefulStop for its deadline).
 * A second signal exits at once (1), for an operator who does not want to wait. Installed by
 * `onRunning`, before the start-up lines are printed, so a signal sent on the listening line is
 * already a graceful close. Until then the signals keep their default meaning: a gateway
 * interrupted while it starts dies of the signal (and a tunnel it was starting goes with it).
 */
export function exitOnSignals(handle: GatewayHandle): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(1);
    stopping = true;
    handle.logger.info({ signal }, 'shutting down');
    gracefulStop(handle, {
      deadlineMs: shutdownDeadlineMs(handle),
      exit: (code) => process.exit(code),
      stderr: process.stderr,
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  hangup.handle = handle;
  hangup.isStopping = () => stopping;
}

/** Where SIGHUP goes once the gateway runs; until then a SIGHUP is ignored, not fatal. */
const hangup: { handle?: GatewayHandle; isStopping: () => boolean } = { isStopping: () => false };

/**
 * Installs the SIGHUP handler before start-up begins: SIGHUP's default action ends the process,
 * and a reload sent right after the `listening` line must not do that. While starting, the file
 * is being read anyway, so the signal is dropped.
 */
export function reloadOnHangup(): void {
  process.on('SIGHUP', () => {
    const { handle } = hangup;
    if (handle === undefined || hangup.isStopping()) return;
    handle.logger.info({ signal: 'SIGHUP' }, 'reloading the config');
    // Log rotation: the audit file is reopened at its path whether or not the new config loads.
    handle.reopenAuditLog();
    void handle.reloads.reload();
  });
}
