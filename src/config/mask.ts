import { SECRET_KEYS } from './schema.js';
import { isRecord } from './schema-walk.js';

/** Shown instead of a secret that is set; unset secrets stay unset. */
export const MASK = '****';

/** A deep copy of `value` with every secret key's value masked (arrays item by item). */
export function maskSecrets<T>(value: T): T {
  return maskValue(value, false) as T;
}

function maskValue(value: unknown, secret: boolean): unknown {
  if (Array.isArray(value)) return value.map((item) => maskValue(item, secret));
  if (isRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      out[key] = maskValue(child, secret || SECRET_KEYS.has(key));
    }
    return out;
  }
  if (secret && value !== undefined && value !== null) return MASK;
  return value;
}
