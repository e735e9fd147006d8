/** Counts upgrades per client key that have not finished authenticating. */
export interface PendingUpgrades {
  /** Reserves a slot; returns a release function, or undefined when the key is at its cap. */
  tryAcquire(clientKey: string): (() => void) | undefined;
  count(clientKey: string): number;
}

/** Builds the per-client pending counter with a fixed cap. */
export function createPendingUpgrades(maxPerClient: number): PendingUpgrades {
  const counts = new Map<string, number>();
  return {
    tryAcquire(clientKey) {
      const current = counts.get(clientKey) ?? 0;
      if (current >= maxPerClient) return undefined;
      counts.set(clientKey, current + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const remaining = (counts.get(clientKey) ?? 1) - 1;
        // Delete at zero so the map only holds keys with work in progress (no slow leak).
        if (remaining <= 0) counts.delete(clientKey);
        else counts.set(clientKey, remaining);
      };
    },
    count: (clientKey) => counts.get(clientKey) ?? 0,
  };
}
