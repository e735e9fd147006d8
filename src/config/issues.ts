import type { z } from 'zod';
import { SECRET_KEYS } from './schema.js';
import { describeAllowed, isRecord, schemaAt } from './schema-walk.js';

/*
 * Turns zod issues into one line an operator can act on: the key path, the value received (masked
 * when the key holds a secret, so a mistyped token never lands in a terminal log) and what is
 * allowed. Zod's own messages name neither the key nor the value.
 */

const MAX_VALUE_CHARS = 60;

/** One human line for the first issue, naming how many other keys are also wrong. */
export function formatConfigIssues(
  issues: readonly z.core.$ZodIssue[],
  schema: z.ZodType,
  raw: unknown,
): string {
  const [first, ...rest] = issues;
  if (first === undefined) return 'config error: invalid configuration';
  const line = `config error: ${describeIssue(first, schema, raw)}`;
  if (rest.length === 0) return line;
  const others = [...new Set(rest.map((issue) => formatPath(issue.path)))].join(', ');
  return `${line} (also invalid: ${others})`;
}

/** `key = value — expected …`, or `key is required when [section] is present`. */
export function describeIssue(issue: z.core.$ZodIssue, schema: z.ZodType, raw: unknown): string {
  const path = issue.path;
  const key = formatPath(path);
  if (issue.code === 'invalid_key') {
    const rule = issue.issues[0]?.message ?? 'valid';
    return `[${key}] — the section name must be a ${rule} (letters a-z, digits, "_" or "-")`;
  }
  if (issue.code === 'unrecognized_keys') {
    // Closed tables (stage options, routing rules): name the mistyped key itself.
    const keys = issue.keys.map((name) => `"${formatPath([...path, name])}"`).join(', ');
    return `unknown config key ${keys}`;
  }
  const found = valueAt(raw, path);
  if (!found.present) {
    const parent = path.slice(0, -1);
    return parent.length === 0
      ? `${key} is required`
      : `${key} is required when [${formatPath(parent)}] is present`;
  }
  if (issue.code === 'invalid_union') {
    // A stage entry is a name or a table: explain the branch the value was written for.
    const branch = pickUnionBranch(issue.errors, raw, path);
    if (branch !== undefined) return describeIssue(branch, schema, raw);
  }
  if (issue.code === 'custom') {
    return `${key} = ${formatValue(found.value, isSecretPath(path))} — ${issue.message}`;
  }
  const target = schemaAt(schema, path);
  const allowed = target === undefined ? issue.message : describeAllowed(target);
  return `${key} = ${formatValue(found.value, isSecretPath(path))} — expected ${allowed}`;
}

/**
 * Of a union's failed branches, the one meant for the value's shape (a table → the table branch),
 * with its issue's path made absolute. Undefined when no branch fits better than the union itself.
 */
function pickUnionBranch(
  branches: readonly (readonly z.core.$ZodIssue[])[],
  raw: unknown,
  path: readonly PropertyKey[],
): z.core.$ZodIssue | undefined {
  const value = valueAt(raw, path).value;
  if (!isRecord(value)) return undefined;
  for (const issues of branches) {
    const [first] = issues;
    if (first === undefined) continue;
    // The name branch fails with "expected string"/"invalid value" at the root; skip it.
    if (first.path.length === 0 && first.code !== 'unrecognized_keys') continue;
    if (first.code === 'invalid_union' && first.path.length === 0) continue;
    return { ...first, path: [...path, ...first.path] } as z.core.$ZodIssue;
  }
  return undefined;
}

/** `a.b[0].c` for a zod path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

/** True when any segment of the path is a secret key (so `paired_tokens[0]` is secret too). */
export function isSecretPath(path: readonly PropertyKey[]): boolean {
  return path.some((segment) => typeof segment === 'string' && SECRET_KEYS.has(segment));
}

/** A received value as the message shows it: JSON-ish, truncated, or masked. */
export function formatValue(value: unknown, secret: boolean): string {
  if (secret) return '"****"';
  if (isRecord(value) && value.constructor === Object) return 'a table';
  // TOML spells these inf, -inf and nan; JSON would print null, which is not what was written.
  if (typeof value === 'number' && !Number.isFinite(value)) {
    return Number.isNaN(value) ? 'nan' : value > 0 ? 'inf' : '-inf';
  }
  let text: string;
  try {
    text =
      typeof value === 'object' && value !== null && !Array.isArray(value)
        ? JSON.stringify(String(value))
        : (JSON.stringify(value) ?? String(value));
  } catch {
    // Only a cyclic or BigInt value can fail to serialize; TOML produces neither, but stay total.
    text = String(value);
  }
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 1)}…` : text;
}

function valueAt(
  raw: unknown,
  path: readonly PropertyKey[],
): { present: boolean; value?: unknown } {
  let current: unknown = raw;
  for (const segment of path) {
    if (Array.isArray(current) && typeof segment === 'number') current = current[segment];
    else if (isRecord(current) && typeof segment === 'string') current = current[segment];
    else return { present: false };
    if (current === undefined) return { present: false };
  }
  return { present: true, value: current };
}
