import type { SlidingWindowResult } from './types.js';

/** The new hit list and decision for one hit on a window. */
export interface WindowStep {
  /** Hits still inside the window, oldest first, including this one when allowed. */
  hits: number[];
  result: SlidingWindowResult;
}

/**
 * Pure sliding-window step shared by the in-process stores: prune hits at or before
 * `now - windowMs`, then allow and record the hit only while under `limit`. A rejected hit is not
 * recorded, so a client that keeps hammering is let back in once its counted hits age out.
 */
export function stepSlidingWindow(
  previous: readonly number[],
  limit: number,
  windowMs: number,
  now: number,
): WindowStep {
  const cutoff = now - windowMs;
  const hits = previous.filter((at) => at > cutoff);
  if (hits.length >= limit) {
    const oldest = hits[0] ?? now;
    return { hits, result: { allowed: false, retryAfterMs: Math.max(1, oldest + windowMs - now) } };
  }
  hits.push(now);
  return { hits, result: { allowed: true, retryAfterMs: 0 } };
}

/** True when every hit has left the window, so the key can be forgotten. */
export function isWindowStale(hits: readonly number[], windowMs: number, now: number): boolean {
  const newest = hits[hits.length - 1];
  return newest === undefined || newest <= now - windowMs;
}
