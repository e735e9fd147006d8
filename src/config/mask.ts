import { SECRET_KEYS } from './schema.js';
import { isRecord } from './schema-walk.js';

/** Shown instead of a secret that is set; unset secrets stay unset. */
export const MASK = '****';

/**
 * `scheme://user:password@` inside any string: `providers.*.base_url` and `api_base_url` may carry
 * credentials as userinfo, and `config check` output gets pasted into issues and chats.
 */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]{0,31}:\/\/[^\s/?#@:]{0,256}):[^\s/?#]{1,256}@/gi;

/** `text` with the password of every URL in it replaced by MASK; the user name stays readable. */
export function maskUrlPasswords(text: string): string {
  return text.replace(URL_PASSWORD, `$1:${MASK}@`);
}

/**
 * A deep copy of `value` with every secret key's value masked (arrays item by item) and every URL
 * password in other strings masked.
 */
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
  return typeof value === 'string' ? maskUrlPasswords(value) : value;
}
