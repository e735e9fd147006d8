import { randomUUID } from 'node:crypto';

/** The millisecond for which `prefix` was made, and the id's first 15 characters for it. */
let prefixMs = -1;
let prefix = '';

/** Two lower-case hex digits for each byte value. */
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));
const TWO_24 = 0x100_0000;

/** The two hex digits of the low byte of `value`. */
const hexByte = (value: number): string => HEX[value & 0xff] ?? '';

/** Twelve hex digits of a whole number below 2^48, from two 24-bit halves (small integers). */
function hex48(value: number): string {
  const high = Math.floor(value / TWO_24);
  const low = value - high * TWO_24;
  return (
    hexByte(high >>> 16) +
    hexByte(high >>> 8) +
    hexByte(high) +
    hexByte(low >>> 16) +
    hexByte(low >>> 8) +
    hexByte(low)
  );
}

/**
 * A UUIDv7 (RFC 9562 §5.7): the 48-bit millisecond time, then randomUUID()'s random bits (74 of
 * them). Ids that grow with time land at the end of an index (memory keys, the sessions of fresh
 * conversations), where one page takes a whole batch of stores, instead of dirtying a random page
 * of it per store. The time part is formatted once per millisecond (a busy gateway makes several
 * ids in the same one), by table: `toString(16)` of a number above 2^31 goes through V8's
 * floating-point radix conversion, about 3,000 instructions, paid by every id of a gateway that
 * makes fewer than one a millisecond.
 */
export function timeOrderedUuid(now: number = Date.now()): string {
  if (now !== prefixMs) {
    const ms = hex48(now);
    prefix = `${ms.slice(0, 8)}-${ms.slice(8, 12)}-7`;
    prefixMs = now;
  }
  // randomUUID() is xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx: keep everything after the version digit.
  return prefix + randomUUID().slice(15);
}
