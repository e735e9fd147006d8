import type { GatewayHandle } from './gateway-handle.js';

/**
 * On the first SIGINT/SIGTERM: graceful close, then exit 0. A second signal exits at once (1),
 * for an operator who does not want to wait for the drain deadline. Installed by `onRunning`,
 * before the start-up lines are printed, so a signal sent on the listening line is already a
 * graceful close. Until then the signals keep their default meaning: a gateway interrupted while
 * it starts dies of the signal (and a tunnel it was starting goes with it).
 */
export function exitOnSignals(handle: GatewayHandle): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(1);
    stopping = true;
    handle.logger.info({ signal }, 'shutting down');
    handle.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`gatehouse: shutdown failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
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
