import type { z } from 'zod';
import { isRecord, listLeaves, objectShape, recordValue } from './schema-walk.js';
import { formatPath } from './issues.js';

/** A key present in the file that the schema does not know (most likely a typo). */
export interface UnknownKey {
  path: string;
  /** Known keys the operator probably meant (a near spelling, or the same key in its section). */
  suggestions?: readonly string[];
}

/**
 * Walks the raw TOML against the schema. Zod strips unknown keys silently, and a silently ignored
 * `allow_public_bnd` or `requre_pairing` is a security setting the operator believes is active.
 * Record keys (`providers.<name>`) are free; the keys inside them are not.
 */
export function findUnknownKeys(
  raw: unknown,
  schema: z.ZodType,
  path: string[] = [],
): UnknownKey[] {
  const shape = objectShape(schema);
  if (shape === undefined || !isRecord(raw)) return [];
  const unknown: UnknownKey[] = [];
  for (const [key, value] of Object.entries(raw)) {
    const child = shape[key];
    const childPath = [...path, key];
    if (child === undefined) {
      // A top-level key that exists in a section is most likely a template line uncommented
      // without its [section] header: name the section rather than a look-alike.
      const sectioned = path.length === 0 ? sectionedKeys(schema, key) : [];
      const suggestion = closest(key, Object.keys(shape));
      const suggestions =
        sectioned.length > 0
          ? sectioned
          : suggestion === undefined
            ? []
            : [formatPath([...path, suggestion])];
      unknown.push({
        path: formatPath(childPath),
        ...(suggestions.length === 0 ? {} : { suggestions }),
      });
      continue;
    }
    const entrySchema = recordValue(child);
    if (entrySchema !== undefined && isRecord(value)) {
      for (const [name, entry] of Object.entries(value)) {
        unknown.push(...findUnknownKeys(entry, entrySchema, [...childPath, name]));
      }
    } else {
      unknown.push(...findUnknownKeys(value, child, childPath));
    }
  }
  return unknown;
}

/** `unknown config key "gateway.prot" (ignored; did you mean "gateway.port"?)` */
export function formatUnknownKey(key: UnknownKey, ignored = true): string {
  const suggestions = key.suggestions ?? [];
  const hint =
    suggestions.length === 0
      ? ''
      : `did you mean ${suggestions.map((suggestion) => `"${suggestion}"`).join(' or ')}?`;
  const note = [ignored ? 'ignored' : '', hint].filter((part) => part !== '').join('; ');
  return `unknown config key "${key.path}"${note === '' ? '' : ` (${note})`}`;
}

/** Dotted paths of every key named `key` inside a section (`port` → `gateway.port`). */
function sectionedKeys(schema: z.ZodType, key: string): string[] {
  return listLeaves(schema)
    .filter((leaf) => leaf.path.length > 1 && leaf.path[leaf.path.length - 1] === key)
    .map((leaf) => leaf.path.join('.'));
}

/** The known key nearest to `key` by edit distance, when it is near enough to be a typo. */
function closest(key: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(key.toLowerCase(), candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
