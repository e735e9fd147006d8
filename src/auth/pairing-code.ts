import { randomInt } from 'node:crypto';

/** A source of uniform integers in [min, max), like `crypto.randomInt`. */
export type RandomIntSource = (min: number, max: number) => number;

/** Number of distinct codes: 000000–999999. */
export const PAIRING_CODE_SPACE = 1_000_000;

/** What a well-formed pairing code looks like. */
export const PAIRING_CODE_PATTERN = /^\d{6}$/;

/**
 * A 6-digit one-time pairing code, uniform over 000000–999999. `crypto.randomInt` rejects
 * out-of-range samples instead of taking a modulo, so no code is likelier than another.
 */
export function generatePairingCode(random: RandomIntSource = randomInt): string {
  const value = random(0, PAIRING_CODE_SPACE);
  if (!Number.isInteger(value) || value < 0 || value >= PAIRING_CODE_SPACE) {
    throw new RangeError('Random source returned a value outside [0, 1000000)');
  }
  return String(value).padStart(6, '0');
}
