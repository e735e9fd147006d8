import { KeyCounts } from '../../http/key-counts.js';

/** A counted pending socket: how to stop counting it, and whether it took its peer over the cap. */
export interface PendingSlot {
  release: () => void;
  overCap: boolean;
}

/** Counts sockets per peer that have not finished a request's headers or authenticating. */
export interface PendingUpgrades {
  /** Always counts the socket; `overCap` when the peer already had its cap's worth. */
  acquire(clientKey: string): PendingSlot;
  /** Reserves a slot; returns a release function, or undefined when the key is at its cap. */
  tryAcquire(clientKey: string): (() => void) | undefined;
  count(clientKey: string): number;
}

/** Builds the per-client pending counter with a fixed cap. */
export function createPendingUpgrades(maxPerClient: number): PendingUpgrades {
  // Only keys with work in progress are held (no slow leak).
  const counts = new KeyCounts();

  const take = (clientKey: string): (() => void) => {
    counts.add(clientKey);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      counts.remove(clientKey);
    };
  };

  return {
    acquire(clientKey) {
      const overCap = counts.count(clientKey) >= maxPerClient;
      return { release: take(clientKey), overCap };
    },
    tryAcquire(clientKey) {
      if (counts.count(clientKey) >= maxPerClient) return undefined;
      return take(clientKey);
    },
    count: (clientKey) => counts.count(clientKey),
  };
}
