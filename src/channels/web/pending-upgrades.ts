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
  const counts = new Map<string, number>();

  const take = (clientKey: string): (() => void) => {
    counts.set(clientKey, (counts.get(clientKey) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const remaining = (counts.get(clientKey) ?? 1) - 1;
      // Delete at zero so the map only holds keys with work in progress (no slow leak).
      if (remaining <= 0) counts.delete(clientKey);
      else counts.set(clientKey, remaining);
    };
  };

  return {
    acquire(clientKey) {
      const overCap = (counts.get(clientKey) ?? 0) >= maxPerClient;
      return { release: take(clientKey), overCap };
    },
    tryAcquire(clientKey) {
      if ((counts.get(clientKey) ?? 0) >= maxPerClient) return undefined;
      return take(clientKey);
    },
    count: (clientKey) => counts.get(clientKey) ?? 0,
  };
}
