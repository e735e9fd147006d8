/** Restart delays: doubling from `initialMs`, never above `maxMs`. */
export interface RestartBackoff {
  initialMs: number;
  maxMs: number;
}

/** One second, doubling to half a minute: fast recovery from a blip, no spinning on a broken tool. */
export const DEFAULT_RESTART_BACKOFF: RestartBackoff = { initialMs: 1000, maxMs: 30_000 };

/** Delay before restart number `attempt` (1 = the first restart after a crash). */
export function restartDelayMs(attempt: number, backoff: RestartBackoff): number {
  const exponent = Math.max(0, attempt - 1);
  // 2 ** 60 and beyond would overflow the multiplication into Infinity; the cap applies anyway.
  return Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(exponent, 52));
}
