import type { z } from 'zod';
import type { Env } from './paths.js';
import { SECRET_ENV } from './schema.js';
import { isRecord, objectShape, unwrap } from './schema-walk.js';

/*
 * Secrets from the environment win over the file, so a config file can be committed or shared
 * without them. A variable never switches on an optional section (a channel) by itself: that
 * would start accepting traffic the operator did not configure; the section header must exist.
 */

/** The variable that carries the API key of `[providers.<name>]`. */
export function providerKeyEnv(name: string): string {
  return `GATEHOUSE_${name.toUpperCase().replace(/-/g, '_')}_API_KEY`;
}

/** The raw config with environment secrets applied, plus warnings for variables that had no effect. */
export function applySecretEnv(
  raw: Record<string, unknown>,
  env: Env,
  schema: z.ZodType,
): { raw: Record<string, unknown>; warnings: string[] } {
  const result = structuredClone(raw);
  const warnings: string[] = [];
  for (const { env: name, path } of SECRET_ENV) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    if (!setAtPath(result, path, value, schema)) {
      const section = path.slice(0, -1).join('.');
      warnings.push(`${name} is set but [${section}] is not configured (ignored)`);
    }
  }
  for (const name of providerNames(result)) {
    const value = env[providerKeyEnv(name)];
    if (value === undefined || value === '') continue;
    setAtPath(result, ['providers', name, 'api_key'], value, schema);
  }
  return { raw: result, warnings };
}

/**
 * Providers whose key the environment may supply: every `[providers.<name>]`, and the default
 * provider so that `default_provider = "openai"` plus `GATEHOUSE_OPENAI_API_KEY` is enough.
 */
function providerNames(raw: Record<string, unknown>): string[] {
  const names = new Set(isRecord(raw.providers) ? Object.keys(raw.providers) : []);
  const preferred = raw.default_provider;
  if (typeof preferred === 'string' && preferred !== 'echo') names.add(preferred);
  return [...names];
}

/** Sets `path` creating missing tables, unless a missing table is an optional section. */
function setAtPath(
  target: Record<string, unknown>,
  path: readonly string[],
  value: string,
  schema: z.ZodType,
): boolean {
  let table = target;
  let tableSchema: z.ZodType | undefined = schema;
  for (const segment of path.slice(0, -1)) {
    const childSchema: z.ZodType | undefined =
      tableSchema === undefined ? undefined : objectShape(tableSchema)?.[segment];
    const existing = table[segment];
    if (existing === undefined) {
      if (childSchema !== undefined && unwrap(childSchema).optional) return false;
      table[segment] = {};
    } else if (!isRecord(existing)) {
      // A scalar where a table belongs: leave it for schema validation to report by key.
      return true;
    }
    table = table[segment] as Record<string, unknown>;
    tableSchema = childSchema;
  }
  const key = path[path.length - 1];
  if (key !== undefined) table[key] = value;
  return true;
}
