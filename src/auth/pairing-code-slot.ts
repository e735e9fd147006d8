import type { StateStore } from '../state/types.js';

/** Wrong guesses allowed against one live code, summed over every client key (see pairing.ts). */
export const MAX_CODE_FAILURES = 10;

/**
 * Where the live pairing code is kept. Every method changes the slot in one step, so two
 * requests presenting the right code cannot both claim it, and guesses cannot overrun the budget.
 */
export interface PairingCodeSlot {
  /** The live code, if any. */
  current(): Promise<string | undefined>;
  /** The code last seen by this process, for the start-up line only. */
  peek(): string | undefined;
  /** Replaces the live code with `code` and a fresh failure budget. */
  replace(code: string): Promise<void>;
  /** Makes `code` live unless a code already is; returns the live code. */
  ensure(code: string): Promise<string | undefined>;
  /** Takes the live code if it still equals `code`; a token to give it back, or undefined. */
  claim(code: string): Promise<object | undefined>;
  /** Makes `code` live again after a failed save, unless a newer code was issued meanwhile. */
  giveBack(code: string, claim: object): Promise<void>;
  /** Counts one wrong guess against `code`; returns the count when that burnt the code. */
  countFailure(code: string): Promise<number | undefined>;
}

/** The single-process slot: plain variables, every change synchronous with the call. */
export function createLocalCodeSlot(initial: string | undefined): PairingCodeSlot {
  let code = initial;
  let failures = 0;
  // Bumped whenever the live code is replaced or burnt, so a failed save gives a code back only
  // if it is still the one that should be live.
  let generation = 0;
  return {
    current: async () => code,
    peek: () => code,
    async replace(next) {
      code = next;
      failures = 0;
      generation += 1;
    },
    async ensure(next) {
      if (code === undefined) {
        code = next;
        failures = 0;
        generation += 1;
      }
      return code;
    },
    async claim(expected) {
      if (code === undefined || code !== expected) return undefined;
      code = undefined;
      return { generation };
    },
    async giveBack(expected, claim) {
      if (code === undefined && (claim as { generation: number }).generation === generation) {
        code = expected;
      }
    },
    async countFailure(expected) {
      if (code !== expected) return undefined;
      failures += 1;
      if (failures < MAX_CODE_FAILURES) return undefined;
      code = undefined;
      generation += 1;
      return failures;
    },
  };
}

/** StateStore namespace of the shared live code and its failure counters. */
export const PAIRING_CODE_NS = 'pairing.code';
const CURRENT = 'current';
// setIfAbsent needs a TTL; a code lives until used, replaced or burnt, like the local one.
const CODE_TTL_MS = 30 * 86_400_000;

/**
 * The slot in the shared StateStore: a code printed by `gatehouse pair` against any instance
 * pairs on every instance. Claims are compare-and-delete, failure counts are atomic increments
 * keyed by the code, so a new code starts with a fresh budget without a reset step.
 */
export function createSharedCodeSlot(store: StateStore): PairingCodeSlot {
  store.declareNamespace(PAIRING_CODE_NS, { durable: true, maxKeys: 10_000 });
  let seen: string | undefined;
  const failuresKey = (code: string): string => `failures:${code}`;
  return {
    async current() {
      seen = await store.get(PAIRING_CODE_NS, CURRENT);
      return seen;
    },
    peek: () => seen,
    async replace(next) {
      await store.set(PAIRING_CODE_NS, CURRENT, next);
      await store.delete(PAIRING_CODE_NS, failuresKey(next));
      seen = next;
    },
    async ensure(next) {
      await store.setIfAbsent(PAIRING_CODE_NS, CURRENT, next, CODE_TTL_MS);
      return this.current();
    },
    async claim(expected) {
      return (await store.deleteIfValue(PAIRING_CODE_NS, CURRENT, expected)) ? {} : undefined;
    },
    async giveBack(expected) {
      await store.setIfAbsent(PAIRING_CODE_NS, CURRENT, expected, CODE_TTL_MS);
    },
    async countFailure(expected) {
      const failures = await store.increment(PAIRING_CODE_NS, failuresKey(expected), CODE_TTL_MS);
      if (failures < MAX_CODE_FAILURES) return undefined;
      return (await store.deleteIfValue(PAIRING_CODE_NS, CURRENT, expected)) ? failures : undefined;
    },
  };
}
