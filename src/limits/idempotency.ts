import { createHash, randomUUID } from 'node:crypto';
import * as z from 'zod';
import { GatewayError } from '../errors.js';
import type { StateStore } from '../state/types.js';
import type { Idempotency, IdempotencyClaim, IdempotencyRecord } from './types.js';
import type { CancelSignal } from '../core/cancel-signal.js';

/** Completed answers; durable so a retry after a restart is still answered from the record. */
export const IDEMPOTENCY_RECORDS_NAMESPACE = 'idempotency';
/** In-flight markers; not durable, because a marker that outlives its process only delays retries. */
export const IDEMPOTENCY_IN_FLIGHT_NAMESPACE = 'idempotency-inflight';

/** Longest accepted `X-Idempotency-Key`, in characters. */
export const IDEMPOTENCY_KEY_MAX_CHARS = 256;

/**
 * Validates the `X-Idempotency-Key` header: absent → undefined; otherwise the trimmed value,
 * which must be 1–256 characters (a present but blank header is a client bug, not "no key").
 */
export function parseIdempotencyKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const key = header.trim();
  // Count code points, not UTF-16 units, so the limit means what the message says.
  const length = [...key].length;
  if (length < 1 || length > IDEMPOTENCY_KEY_MAX_CHARS) {
    throw new GatewayError('INVALID_HEADER', {
      message: 'X-Idempotency-Key must be 1–256 characters',
    });
  }
  return key;
}

/** Options of the idempotency layer. */
export interface IdempotencyOptions {
  store: StateStore;
  /** How long a completed answer is replayed (`idempotency_ttl_secs`). */
  ttlMs: number;
  /** Most keys remembered (`idempotency_max_keys`), least recently used evicted. */
  maxKeys: number;
  /**
   * Lifetime of an in-flight marker; a little more than the request timeout, so the marker of an
   * instance that crashed mid-request expires and the client's retry is processed.
   */
  inFlightTtlMs?: number;
  /** How often a waiter re-checks the store for an original running on another instance. */
  pollMs?: number;
}

const recordSchema = z.object({ response: z.string(), model: z.string() });

/** Creates the idempotency layer over the StateStore. */
export function createIdempotency(options: IdempotencyOptions): Idempotency {
  const { store, ttlMs, maxKeys } = options;
  const inFlightTtlMs = options.inFlightTtlMs ?? 35_000;
  const pollMs = options.pollMs ?? 250;
  store.declareNamespace(IDEMPOTENCY_RECORDS_NAMESPACE, { durable: true, maxKeys });
  store.declareNamespace(IDEMPOTENCY_IN_FLIGHT_NAMESPACE, { durable: false, maxKeys });
  /** Same-instance waiters, woken the moment the original settles instead of at the next poll. */
  const waiters = new Map<string, Set<() => void>>();

  function wake(id: string): void {
    const set = waiters.get(id);
    waiters.delete(id);
    for (const resolve of set ?? []) resolve();
  }

  async function readRecord(id: string): Promise<IdempotencyRecord | undefined> {
    const raw = await store.get(IDEMPOTENCY_RECORDS_NAMESPACE, id);
    if (raw === undefined) return undefined;
    const parsed = recordSchema.safeParse(safeJson(raw));
    return parsed.success ? parsed.data : undefined;
  }

  function newClaim(id: string, token: string): IdempotencyClaim {
    let settled = false;
    async function settle(record: IdempotencyRecord | undefined): Promise<void> {
      // Only the first settle counts, so `release()` in a finally after `complete()` is harmless.
      if (settled) return;
      settled = true;
      try {
        if (record !== undefined) {
          const value = JSON.stringify({ response: record.response, model: record.model });
          await store.set(IDEMPOTENCY_RECORDS_NAMESPACE, id, value, ttlMs);
        }
      } finally {
        // Record first, marker second: a claimer that wins the marker then always sees the record.
        await store.deleteIfValue(IDEMPOTENCY_IN_FLIGHT_NAMESPACE, id, token);
        wake(id);
      }
    }
    return {
      kind: 'new',
      complete: (record) => settle(record),
      release: () => settle(undefined),
    };
  }

  function waitForOriginal(id: string, signal: CancelSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const set = waiters.get(id) ?? new Set<() => void>();
      waiters.set(id, set);
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        set.delete(done);
        if (set.size === 0 && waiters.get(id) === set) waiters.delete(id);
      };
      const wakeUp = (): void => {
        done();
        resolve();
      };
      const onAbort = (): void => {
        done();
        reject(signal.reason);
      };
      // The poll covers an original on another instance, and a marker left by a crashed one.
      const timer = setTimeout(wakeUp, pollMs);
      set.add(wakeUp);
      signal.addEventListener('abort', onAbort, { once: true });
      // An abort that landed during the preceding await fires no event for a late listener.
      if (signal.aborted) onAbort();
    });
  }

  return {
    async claim(principalId: string, key: string, signal: CancelSignal): Promise<IdempotencyClaim> {
      const id = idempotencyStorageKey(principalId, key);
      for (;;) {
        signal.throwIfAborted();
        const record = await readRecord(id);
        if (record !== undefined) return { kind: 'duplicate', record };
        const token = randomUUID();
        if (await store.setIfAbsent(IDEMPOTENCY_IN_FLIGHT_NAMESPACE, id, token, inFlightTtlMs)) {
          // The original may have completed between our read and our marker: re-check.
          const late = await readRecord(id);
          if (late === undefined) return newClaim(id, token);
          await store.deleteIfValue(IDEMPOTENCY_IN_FLIGHT_NAMESPACE, id, token);
          return { kind: 'duplicate', record: late };
        }
        await waitForOriginal(id, signal);
      }
    },
  };
}

/**
 * The store key for a principal's idempotency key: hashed, so arbitrary client bytes are safe in
 * any backend and bounded in length, and scoped so no principal can reach another's record.
 */
export function idempotencyStorageKey(principalId: string, key: string): string {
  return createHash('sha256')
    .update(JSON.stringify([principalId, key]))
    .digest('hex');
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    // A corrupt record (e.g. a damaged file) is treated as absent: the request runs again.
    return undefined;
  }
}
