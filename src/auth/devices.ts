import * as z from 'zod';
import type { StateStore } from '../state/types.js';
import type { Authenticate } from './authenticate.js';

/** StateStore namespace of paired-device metadata, keyed by the token hash's first 12 characters. */
export const DEVICES_NAMESPACE = 'devices';

/** Characters of the token hash that key a device (the prefix `tokens list` shows). */
export const DEVICE_KEY_LENGTH = 12;

/** Longest accepted device name. */
export const MAX_DEVICE_NAME_LENGTH = 64;

const recordSchema = z.strictObject({
  name: z.string(),
  createdAt: z.number(),
  lastUsedAt: z.number().optional(),
});

/** What `tokens list` shows about one paired device. */
export type DeviceRecord = z.infer<typeof recordSchema>;

/**
 * A device name from `X-Device-Name` or the CLI: trimmed, 1–64 printable characters, no control
 * characters (it is printed in a terminal and written to logs). Undefined when unusable.
 */
export function parseDeviceName(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const name = value.trim();
  if (name.length === 0 || name.length > MAX_DEVICE_NAME_LENGTH) return undefined;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) return undefined;
  return name;
}

/** Paired-device names and times over the StateStore. */
export interface DeviceBook {
  /** Records a newly paired token (by hash) with its name. */
  register(hash: string, name: string | undefined): Promise<void>;
  /** Notes a use of the device keyed `key` in memory; written by flush(). */
  touch(key: string): void;
  /** Writes pending last-used times. */
  flush(): Promise<void>;
  get(hash: string): Promise<DeviceRecord | undefined>;
  rename(hash: string, name: string): Promise<void>;
}

export function declareDevicesNamespace(store: StateStore): void {
  store.declareNamespace(DEVICES_NAMESPACE, { durable: true });
}

export function createDeviceBook(store: StateStore, now: () => number = Date.now): DeviceBook {
  // Last-used times are batched: a store write per authenticated request would put a disk write
  // on every request's path for a value that only needs minute precision.
  const pending = new Map<string, number>();
  const keyOf = (hash: string): string => hash.slice(0, DEVICE_KEY_LENGTH);
  const read = async (key: string): Promise<DeviceRecord | undefined> => {
    const value = await store.get(DEVICES_NAMESPACE, key);
    if (value === undefined) return undefined;
    try {
      const parsed = recordSchema.safeParse(JSON.parse(value));
      return parsed.success ? parsed.data : undefined;
    } catch {
      // A corrupt row (hand-edited database) reads as unknown rather than breaking the CLI.
      return undefined;
    }
  };
  const write = (key: string, record: DeviceRecord): Promise<void> =>
    store.set(DEVICES_NAMESPACE, key, JSON.stringify(record));

  return {
    async register(hash, name) {
      await write(keyOf(hash), { name: name ?? 'unnamed device', createdAt: now() });
    },
    touch(key) {
      pending.set(key, now());
    },
    async flush() {
      const batch = [...pending];
      pending.clear();
      for (const [key, at] of batch) {
        const record = (await read(key)) ?? { name: 'unnamed device', createdAt: at };
        await write(key, { ...record, lastUsedAt: Math.max(at, record.lastUsedAt ?? 0) });
      }
    },
    get: (hash) => read(keyOf(hash)),
    async rename(hash, name) {
      const key = keyOf(hash);
      const record = (await read(key)) ?? { name, createdAt: now() };
      await write(key, { ...record, name });
    },
  };
}

/** Wraps an authenticator so every accepted paired token marks its device as used. */
export function touchingDevices(authenticate: Authenticate, devices: DeviceBook): Authenticate {
  return async function authenticateAndTouch(authorization, requiredScope) {
    const principal = await authenticate(authorization, requiredScope);
    if (principal.id.startsWith('paired:')) devices.touch(principal.id.slice('paired:'.length));
    return principal;
  };
}
