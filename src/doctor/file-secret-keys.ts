import { providerKeyEnv } from '../config/env.js';
import { SECRET_ENV } from '../config/schema.js';
import { isRecord } from '../config/schema-walk.js';

/** A secret written in the config file: its dotted key and the env var that could carry it. */
export interface FileSecret {
  key: string;
  env: string;
}

function valueAt(raw: Record<string, unknown>, path: readonly string[]): unknown {
  let current: unknown = raw;
  for (const segment of path) {
    if (!isRecord(current)) return undefined;
    current = current[segment];
  }
  return current;
}

function isSet(value: unknown): boolean {
  return typeof value === 'string' && value !== '';
}

/**
 * Secrets present in the parsed config file (before the environment is applied), each with its
 * env var: the fixed ones of SECRET_ENV and `providers.<name>.api_key`. Values are never returned.
 */
export function listFileSecrets(raw: Record<string, unknown>): FileSecret[] {
  const found = SECRET_ENV.filter(({ path }) => isSet(valueAt(raw, path))).map(({ env, path }) => ({
    key: path.join('.'),
    env,
  }));
  const providers = isRecord(raw.providers) ? raw.providers : {};
  for (const [name, section] of Object.entries(providers)) {
    if (isRecord(section) && isSet(section.api_key)) {
      found.push({ key: `providers.${name}.api_key`, env: providerKeyEnv(name) });
    }
  }
  return found;
}
