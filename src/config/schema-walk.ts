import * as z from 'zod';

/*
 * Introspection of the config schema: the template, the README check, the unknown-key scan and
 * the error messages all read keys, defaults, descriptions and allowed values from here, so the
 * schema stays the only place they are written down.
 */

/** A schema stripped of its optional/default wrappers, plus what those wrappers said. */
export interface Unwrapped {
  inner: z.ZodType;
  optional: boolean;
  /** Present when the key has a default (`.default()`), not for section prefaults. */
  defaultValue?: unknown;
  description?: string;
}

/** Removes `.optional()`, `.default()` and `.prefault()` layers, keeping the outermost description. */
export function unwrap(schema: z.ZodType): Unwrapped {
  const result: Unwrapped = { inner: schema, optional: false };
  let current: z.ZodType = schema;
  for (;;) {
    if (result.description === undefined && current.description !== undefined) {
      result.description = current.description;
    }
    if (current instanceof z.ZodOptional) {
      result.optional = true;
      current = current.unwrap() as z.ZodType;
    } else if (current instanceof z.ZodDefault) {
      if (!('defaultValue' in result)) result.defaultValue = current.def.defaultValue;
      current = current.unwrap() as z.ZodType;
    } else if (current instanceof z.ZodPrefault) {
      current = current.unwrap() as z.ZodType;
    } else {
      result.inner = current;
      if (result.description === undefined && current.description !== undefined) {
        result.description = current.description;
      }
      return result;
    }
  }
}

/** The fields of an object schema, or undefined when `schema` is not an object. */
export function objectShape(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  const { inner } = unwrap(schema);
  return inner instanceof z.ZodObject ? (inner.shape as Record<string, z.ZodType>) : undefined;
}

/** The value schema of a record (e.g. `providers.<name>`), or undefined. */
export function recordValue(schema: z.ZodType): z.ZodType | undefined {
  const { inner } = unwrap(schema);
  return inner instanceof z.ZodRecord ? (inner.valueType as z.ZodType) : undefined;
}

/** The schema that validates the value at `path`, following objects, records and arrays. */
export function schemaAt(root: z.ZodType, path: readonly PropertyKey[]): z.ZodType | undefined {
  let current: z.ZodType | undefined = root;
  for (const segment of path) {
    if (current === undefined) return undefined;
    const { inner } = unwrap(current);
    if (inner instanceof z.ZodObject && typeof segment === 'string') {
      current = (inner.shape as Record<string, z.ZodType>)[segment];
    } else if (inner instanceof z.ZodRecord) {
      current = inner.valueType as z.ZodType;
    } else if (inner instanceof z.ZodArray) {
      current = inner.element as z.ZodType;
    } else if (inner instanceof z.ZodUnion && typeof segment === 'string') {
      // Stage tables: the first option that has this key (options sharing a key share its schema).
      current = (inner.options as z.ZodType[])
        .flatMap((option) => unionOptions(option))
        .map((option) => objectShape(option)?.[segment])
        .find((child) => child !== undefined);
    } else {
      return undefined;
    }
  }
  return current;
}

/** A union's options, flattened through nested unions (a discriminated union inside a union). */
function unionOptions(schema: z.ZodType): z.ZodType[] {
  const { inner } = unwrap(schema);
  return inner instanceof z.ZodUnion
    ? (inner.options as z.ZodType[]).flatMap((option) => unionOptions(option))
    : [inner];
}

/** A leaf key of the schema: its dotted path and what the template/README say about it. */
export interface SchemaLeaf {
  path: string[];
  schema: Unwrapped;
}

/** Placeholder segment for a record key in listed paths (`providers.<name>.api_key`). */
export const RECORD_KEY = '<name>';

/** Every leaf key, depth first; a record of sections is listed once under `RECORD_KEY`. */
export function listLeaves(schema: z.ZodType, prefix: string[] = []): SchemaLeaf[] {
  const shape = objectShape(schema);
  if (shape === undefined) return [];
  const leaves: SchemaLeaf[] = [];
  for (const [key, child] of Object.entries(shape)) {
    const value = recordValue(child);
    if (objectShape(child) !== undefined) {
      leaves.push(...listLeaves(child, [...prefix, key]));
    } else if (value !== undefined && objectShape(value) !== undefined) {
      leaves.push(...listLeaves(value, [...prefix, key, RECORD_KEY]));
    } else {
      leaves.push({ path: [...prefix, key], schema: unwrap(child) });
    }
  }
  return leaves;
}

/** A human phrase for what a schema accepts, e.g. `an integer 0–65535` or `one of "a", "b"`. */
export function describeAllowed(schema: z.ZodType): string {
  const { inner } = unwrap(schema);
  if (inner instanceof z.ZodNumber) return describeNumber(inner);
  if (inner instanceof z.ZodURL) return 'an http(s) URL';
  if (inner instanceof z.ZodString) return describeString(inner);
  if (inner instanceof z.ZodBoolean) return 'true or false';
  if (inner instanceof z.ZodEnum) {
    return `one of ${inner.options.map((option) => JSON.stringify(option)).join(', ')}`;
  }
  if (inner instanceof z.ZodLiteral) return JSON.stringify(inner.value);
  if (inner instanceof z.ZodUnion) {
    return (inner.options as z.ZodType[]).map((option) => describeAllowed(option)).join(' or ');
  }
  if (inner instanceof z.ZodArray) {
    return `an array whose items are each ${describeAllowed(inner.element as z.ZodType)}`;
  }
  if (inner instanceof z.ZodObject) return 'a table';
  if (inner instanceof z.ZodRecord) return 'a table of named sections';
  return 'a valid value';
}

function describeNumber(schema: z.ZodNumber): string {
  const kind = schema.isInt ? 'an integer' : 'a number';
  let min: string | undefined;
  let max: string | undefined;
  for (const check of schema.def.checks ?? []) {
    const def: unknown = check._zod.def;
    if (!isRecord(def) || typeof def.value !== 'number') continue;
    if (def.check === 'greater_than') min = `${def.inclusive === true ? '≥' : '>'} ${def.value}`;
    if (def.check === 'less_than') max = `${def.inclusive === true ? '≤' : '<'} ${def.value}`;
  }
  if (min?.startsWith('≥') && max?.startsWith('≤'))
    return `${kind} ${min.slice(2)}–${max.slice(2)}`;
  const bounds = [min, max].filter((bound) => bound !== undefined);
  return bounds.length === 0 ? kind : `${kind} ${bounds.join(' and ')}`;
}

function describeString(schema: z.ZodString): string {
  const patternMessage = customRegexMessage(schema);
  if (patternMessage !== undefined) return `a string: ${patternMessage}`;
  return (schema.minLength ?? 0) > 0 ? 'a non-empty string' : 'a string';
}

/** The message written next to a `.regex()` check, which states the allowed form for people. */
function customRegexMessage(schema: z.ZodString): string | undefined {
  for (const check of schema.def.checks ?? []) {
    const def: unknown = check._zod.def;
    if (isRecord(def) && def.format === 'regex' && typeof def.error === 'function') {
      const message: unknown = (def.error as () => unknown)();
      if (typeof message === 'string') return message;
    }
  }
  return undefined;
}

/** True for a plain object (a TOML table). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
