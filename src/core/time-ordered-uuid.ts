import { randomUUID } from 'node:crypto';

/**
 * A UUIDv7 (RFC 9562 §5.7): the 48-bit millisecond time, then randomUUID()'s random bits (74 of
 * them). Ids that grow with time land at the end of an index (memory keys, the sessions of fresh
 * conversations), where one page takes a whole batch of stores, instead of dirtying a random page
 * of it per store.
 */
export function timeOrderedUuid(now: number = Date.now()): string {
  const ms = now.toString(16).padStart(12, '0');
  // randomUUID() is xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx: keep everything after the version digit.
  return `${ms.slice(0, 8)}-${ms.slice(8, 12)}-7${randomUUID().slice(15)}`;
}
