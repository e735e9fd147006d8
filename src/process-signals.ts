import type { GatewayHandle } from './main.js';

/** Hands the running gateway to the signal handlers installed before start-up. */
export interface SignalExit {
  attach(handle: GatewayHandle): void;
}

/**
 * Installed before start-up begins, so a SIGINT/SIGTERM that arrives while the gateway is still
 * starting (or right after its last start-up line) never ends it by the signal's default action:
 * the first signal closes it gracefully once it is running, then exits 0. A second signal exits at
 * once (1), for an operator who does not want to wait for start-up or the drain deadline.
 */
export function exitOnSignals(): SignalExit {
  let stopping: NodeJS.Signals | undefined;
  let running: GatewayHandle | undefined;
  const stop = (handle: GatewayHandle, signal: NodeJS.Signals): void => {
    handle.logger.info({ signal }, 'shutting down');
    handle.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`gatehouse: shutdown failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping !== undefined) process.exit(1);
    stopping = signal;
    if (running !== undefined) stop(running, signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    attach(handle) {
      running = handle;
      hangup.handle = handle;
      hangup.isStopping = () => stopping !== undefined;
      if (stopping !== undefined) stop(handle, stopping);
    },
  };
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
