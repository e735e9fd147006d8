import type { Logger } from 'pino';
import { GatewayError } from '../errors.js';
import type { StateStore } from '../state/types.js';
import { constantTimeEqual } from './constant-time.js';
import { generatePairingCode, PAIRING_CODE_PATTERN } from './pairing-code.js';
import type { RandomIntSource } from './pairing-code.js';
import { generatePairedToken } from './paired-tokens.js';
import type { PairedTokenStore } from './paired-tokens.js';
import { createLocalCodeSlot, MAX_CODE_FAILURES } from './pairing-code-slot.js';
import type { PairingCodeSlot } from './pairing-code-slot.js';

/** Wrong codes allowed per client key before it is locked out. */
export const MAX_PAIRING_FAILURES = 3;
/** How long a locked-out client key must wait. */
export const PAIRING_LOCKOUT_MS = 300_000;

/**
 * Wrong guesses allowed against one live code, summed over every client key. Per-key lockouts
 * alone do not bound guessing when the client key comes from a header the client chooses
 * (`trust_forwarded_headers`): ten guesses give an attacker a 1-in-100,000 chance per code.
 */
export { MAX_CODE_FAILURES };

/** StateStore namespaces: failure counters and lockouts, keyed by client key. */
export const PAIRING_FAILURES_NS = 'pairing.failures';
export const PAIRING_LOCKOUTS_NS = 'pairing.lockouts';

/** The StateStore calls the guard needs. */
export type PairingStateStore = Pick<
  StateStore,
  'declareNamespace' | 'get' | 'set' | 'increment' | 'delete'
>;

export interface PairingGuardOptions {
  requirePairing: boolean;
  tokens: PairedTokenStore;
  /** Saves a new token hash durably (appends it to the config file); throws on failure. */
  persist: (hash: string) => Promise<void>;
  state: PairingStateStore;
  /** Epoch-milliseconds clock; must agree with the store's clock. */
  now?: () => number;
  random?: RandomIntSource;
  /** Most client keys tracked per namespace (least recently used evicted). */
  maxKeys?: number;
  /** Receives the lockout and code-invalidated warnings (never the code). */
  logger?: Pick<Logger, 'warn'>;
  /**
   * Where the live code is kept (default: this process). Builds the slot from the start-up code;
   * the shared slot ignores it and is seeded by `ensureCode()`.
   */
  codeSlot?: (initial: string | undefined) => PairingCodeSlot;
}

/** One-time pairing codes, lockouts, and the paired token set. */
export interface PairingGuard {
  readonly requirePairing: boolean;
  readonly tokens: PairedTokenStore;
  /** The live code, if any. Only for the start-up line and the admin endpoint; never logged. */
  currentCode(): string | undefined;
  /** Replaces the live code with a fresh one and a fresh failure budget. */
  newCode(): string;
  /** Same as `newCode`, resolved once the code is live on every instance (admin endpoint). */
  issueCode(): Promise<string>;
  /**
   * When pairing is required and nothing is paired, makes a code live unless one already is
   * (an instance of a shared deployment may have issued it) and returns the live code.
   */
  ensureCode(): Promise<string | undefined>;
  /** Exchanges a code for a new token; throws PAIRING_LOCKED / PAIRING_CODE_INVALID / PAIRING_PERSIST_FAILED. */
  tryPair(code: string | undefined, clientKey: string): Promise<string>;
  /** Throws PAIRING_LOCKED when `clientKey` is locked out (checked before any other work). */
  assertNotLocked(clientKey: string): Promise<void>;
  isPaired(): boolean;
}

/**
 * Creates the guard. When pairing is required and nothing is paired yet, a first code exists at
 * once; when tokens exist there is no code until the admin endpoint asks for one.
 */
export function createPairingGuard(options: PairingGuardOptions): PairingGuard {
  const now = options.now ?? Date.now;
  const { state, tokens } = options;
  const maxKeys = options.maxKeys ?? 10_000;
  state.declareNamespace(PAIRING_FAILURES_NS, { durable: false, maxKeys });
  state.declareNamespace(PAIRING_LOCKOUTS_NS, { durable: false, maxKeys });

  const initial =
    options.requirePairing && tokens.count() === 0
      ? generatePairingCode(options.random)
      : undefined;
  const slot = (options.codeSlot ?? createLocalCodeSlot)(initial);

  /** Counts one wrong guess against `expected`; warns when that burnt the code. */
  const countCodeFailure = async (expected: string): Promise<void> => {
    const burntAfter = await slot.countFailure(expected);
    if (burntAfter === undefined) return;
    options.logger?.warn(
      { failures: burntAfter },
      'pairing code invalidated after too many wrong guesses; run `gatehouse pair` for a new one',
    );
  };

  const lockedError = (until: number): GatewayError =>
    new GatewayError('PAIRING_LOCKED', {
      extra: { retry_after: Math.max(1, Math.ceil((until - now()) / 1000)) },
    });

  const assertNotLocked = async (clientKey: string): Promise<void> => {
    const until = Number(await state.get(PAIRING_LOCKOUTS_NS, clientKey));
    if (Number.isFinite(until) && until > now()) throw lockedError(until);
  };

  const lock = async (clientKey: string): Promise<never> => {
    const until = now() + PAIRING_LOCKOUT_MS;
    await state.set(PAIRING_LOCKOUTS_NS, clientKey, String(until), PAIRING_LOCKOUT_MS);
    throw lockedError(until);
  };

  return {
    requirePairing: options.requirePairing,
    tokens,
    currentCode: () => slot.peek(),
    newCode() {
      const code = generatePairingCode(options.random);
      // The local slot applies it synchronously; a shared one is awaited through issueCode().
      void slot.replace(code).catch(() => undefined);
      return code;
    },
    async issueCode() {
      const code = generatePairingCode(options.random);
      await slot.replace(code);
      return code;
    },
    async ensureCode() {
      if (!options.requirePairing || tokens.count() > 0) return slot.current();
      return slot.ensure(generatePairingCode(options.random));
    },
    assertNotLocked,
    isPaired: () => tokens.count() > 0,

    async tryPair(presented, clientKey) {
      await assertNotLocked(clientKey);
      // Count the attempt before comparing: concurrent requests from one key each get their own
      // number from one atomic increment, so a burst cannot slip more than 3 guesses past the
      // lockout check. The counter's window equals the lockout, so it has expired once the
      // lockout has and the client starts over with 3 attempts.
      const attempt = await state.increment(PAIRING_FAILURES_NS, clientKey, PAIRING_LOCKOUT_MS);
      if (attempt > MAX_PAIRING_FAILURES) return lock(clientKey);

      const expected = await slot.current();
      const wellFormed = presented !== undefined && PAIRING_CODE_PATTERN.test(presented);
      // Always run the comparison so a missing code and a wrong code take the same path.
      const matches = constantTimeEqual(presented ?? '', expected ?? '');
      if (!wellFormed || expected === undefined || !matches) {
        // Synchronous with the comparison, so concurrent guesses cannot overrun the budget. A
        // malformed code cannot match and so is no guess at the code space: it is not counted.
        if (wellFormed && expected !== undefined) await countCodeFailure(expected);
        if (attempt >= MAX_PAIRING_FAILURES) {
          await state.set(
            PAIRING_LOCKOUTS_NS,
            clientKey,
            String(now() + PAIRING_LOCKOUT_MS),
            PAIRING_LOCKOUT_MS,
          );
          options.logger?.warn(
            { clientKey, lockoutSecs: PAIRING_LOCKOUT_MS / 1000 },
            'pairing client locked out after repeated wrong codes',
          );
        }
        throw new GatewayError('PAIRING_CODE_INVALID');
      }

      // Claim the code before saving so two requests with the right code cannot both get a
      // token; it is given back below if saving fails.
      const claim = await slot.claim(expected);
      if (claim === undefined) throw new GatewayError('PAIRING_CODE_INVALID');
      const token = generatePairedToken();
      const hash = tokens.hash(token);
      try {
        await tokens.serialize(async () => {
          await options.persist(hash);
          // Only after the hash is on disk: a token that would vanish on restart is never valid.
          tokens.add(hash);
        });
      } catch (error) {
        // Give the code back unless a newer code was issued (or this one burnt) meanwhile.
        await slot.giveBack(expected, claim);
        throw new GatewayError('PAIRING_PERSIST_FAILED', { cause: error });
      }
      await state.delete(PAIRING_FAILURES_NS, clientKey);
      return token;
    },
  };
}
