import type { Config } from './schema.js';
import { isRecord } from './schema-walk.js';

/*
 * What a reload may change while the gateway runs. A key is hot only when every component that
 * uses it reads the live value (or registered a reload hook); everything else keeps its old value
 * until a restart, and is named in a warning.
 */

/** Keys (dotted; `*` matches one segment) applied without a restart. */
export const HOT_KEYS: readonly string[] = [
  // The message path (providers → agents → router → stages) is rebuilt and swapped on reload.
  'default_provider',
  'default_model',
  'default_temperature',
  'agent.*',
  'agents.*',
  'agents.*.*',
  'providers.*',
  'providers.*.*',
  'routing.rules',
  'pipeline.inbound',
  'pipeline.outbound',
  // The Host check, the public origins and the trusted-proxy match read these on every request.
  'gateway.allowed_hosts',
  'gateway.public_url',
  'gateway.trusted_proxies',
  'gateway.trust_forwarded_headers',
  'observability.log_level',
  'gateway.paired_tokens',
  'gateway.pair_rate_limit_per_minute',
  'gateway.webhook_rate_limit_per_minute',
  'channels_config.web.allowed_origins',
  'channels_config.whatsapp.allowed_numbers',
  'channels_config.slack.allowed_users',
  'channels_config.telegram.allowed_users',
];

/** The outcome of comparing the running config with the file. */
export interface ReloadPlan {
  /** Every leaf key whose value differs, sorted. */
  changed: string[];
  /** Changed keys applied now. */
  hot: string[];
  /** Changed keys that need a restart; they keep their running values. */
  restartOnly: string[];
}

/** Compares two configs leaf by leaf and sorts the differences into hot and restart-only. */
export function planReload(running: Config, next: Config, hotKeys = HOT_KEYS): ReloadPlan {
  const changed = [...changedLeaves(running, next, [])].sort();
  const hot = changed.filter((key) => hotKeys.some((pattern) => matches(pattern, key)));
  return { changed, hot, restartOnly: changed.filter((key) => !hot.includes(key)) };
}

/**
 * Writes the value of `key` from `next` into `running` in place: components hold references to
 * the config's sections and arrays, so an array is refilled rather than replaced. A key absent
 * from `next` (a removed `[agents.<name>]` section, an unset optional key) is deleted, so a
 * record never keeps a name whose value is undefined.
 */
export function applyInPlace(running: Config, next: Config, key: string): void {
  const path = key.split('.');
  const last = path.pop();
  if (last === undefined) return;
  let target: unknown = running;
  let source: unknown = next;
  for (const segment of path) {
    if (!isRecord(target) || !isRecord(source)) return;
    target = target[segment];
    source = source[segment];
  }
  if (!isRecord(target) || !isRecord(source)) return;
  const current = target[last];
  const value = source[last];
  if (value === undefined) delete target[last];
  else if (Array.isArray(current) && Array.isArray(value)) {
    current.splice(0, current.length, ...value);
  } else target[last] = value;
}

function* changedLeaves(a: unknown, b: unknown, path: string[]): Generator<string> {
  if (isRecord(a) && isRecord(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      yield* changedLeaves(a[key], b[key], [...path, key]);
    }
    return;
  }
  // A section added or removed (a channel enabled) counts as one change of that section.
  if (JSON.stringify(a) !== JSON.stringify(b)) yield path.join('.');
}

function matches(pattern: string, key: string): boolean {
  const want = pattern.split('.');
  const have = key.split('.');
  return want.length === have.length && want.every((part, i) => part === '*' || part === have[i]);
}
