/** A settable epoch-milliseconds clock for TTL and window tests. */
export interface FakeClock {
  now: () => number;
  advance(ms: number): void;
}

/** Starts at a fixed instant so test output never depends on the real date. */
export function createFakeClock(start = Date.UTC(2024, 0, 1)): FakeClock {
  let current = start;
  return {
    now: () => current,
    advance(ms: number): void {
      current += ms;
    },
  };
}
