import { randomUUID } from 'node:crypto';

/** The millisecond for which `prefix` was made, and the id's first 15 characters for it. */
let prefixMs = -1;
let prefix = '';

/**
 * A UUIDv7 (RFC 9562 §5.7): the 48-bit millisecond time, then randomUUID()'s random bits (74 of
 * them). Ids that grow with time land at the end of an index (memory keys, the sessions of fresh
 * conversations), where one page takes a whole batch of stores, instead of dirtying a random page
 * of it per store. The time part is formatted once per millisecond: a busy gateway makes several
 * ids in the same one, and formatting a number as hex took half of each call.
 */
export function timeOrderedUuid(now: number = Date.now()): string {
  if (now !== prefixMs) {
    const ms = now.toString(16).padStart(12, '0');
    prefix = `${ms.slice(0, 8)}-${ms.slice(8, 12)}-7`;
    prefixMs = now;
  }
  // randomUUID() is xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx: keep everything after the version digit.
  return prefix + randomUUID().slice(15);
}
