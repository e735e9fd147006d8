import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { ConfigError } from './config-error.js';
import { loadConfig } from './load.js';
import { configSchema, MAX_TIMER_MS } from './schema.js';
import { listLeaves, RECORD_KEY } from './schema-walk.js';

/*
 * Node clamps a timer delay above 2^31 − 1 ms to 1 ms, so an oversized duration turns a timeout
 * into an instant one and an interval into a busy loop. Every duration key must refuse such values
 * (and inf, nan, negatives) at load time, naming the key, the value as written and the range.
 */

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bounds-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Required keys of optional sections, so only the duration under test can be wrong. */
const SECTION_BASE: Record<string, string> = {
  'channels_config.telegram': 'bot_token = "t"\n',
  'channels_config.slack': 'bot_token = "t"\n',
  'channels_config.whatsapp': 'access_token = "t"\nphone_number_id = "1"\n',
};

const UNIT_MS: Record<string, number> = { _ms: 1, _secs: 1000 };

function unitOf(key: string): number | undefined {
  const suffix = Object.keys(UNIT_MS).find((candidate) => key.endsWith(candidate));
  return suffix === undefined ? undefined : UNIT_MS[suffix];
}

interface DurationKey {
  section: string;
  key: string;
  /** 1 for a timeout or an interval; 0 for a wait that may be left out (a delay). */
  min: number;
  max: number;
}

function maxOf(schema: z.ZodType): number | undefined {
  return schema instanceof z.ZodNumber && schema.maxValue !== null ? schema.maxValue : undefined;
}

function minOf(schema: z.ZodType): number | undefined {
  return schema instanceof z.ZodNumber && schema.minValue !== null ? schema.minValue : undefined;
}

const durations: DurationKey[] = listLeaves(configSchema).flatMap((leaf) => {
  const key = leaf.path.at(-1) ?? '';
  if (unitOf(key) === undefined) return [];
  const section = leaf.path
    .slice(0, -1)
    .map((segment) => (segment === RECORD_KEY ? 'echo' : segment))
    .join('.');
  return [
    {
      section,
      key,
      min: minOf(leaf.schema.inner) ?? Number.NEGATIVE_INFINITY,
      max: maxOf(leaf.schema.inner) ?? Number.POSITIVE_INFINITY,
    },
  ];
});

function load(section: string, assignment: string) {
  const path = join(dir, `${section}-${Math.random().toString(36).slice(2)}.toml`);
  writeFileSync(path, `[${section}]\n${SECTION_BASE[section] ?? ''}${assignment}\n`);
  return loadConfig({ path, env: {} });
}

function loadError(section: string, assignment: string): string {
  try {
    load(section, assignment);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error(`expected ${assignment} in [${section}] to be refused`);
}

describe('duration keys are bounded by what a timer can honour', () => {
  it('finds the duration keys of every section', () => {
    expect(durations.map((entry) => `${entry.section}.${entry.key}`)).toEqual(
      expect.arrayContaining([
        'gateway.request_timeout_secs',
        'gateway.shutdown_delay_secs',
        'channels_config.web.handshake_timeout_secs',
        'providers.echo.timeout_secs',
        'inbox.retry_max_ms',
      ]),
    );
  });

  it.each(durations)('$section.$key has a maximum of at most 2^31 − 1 ms', ({ key, max }) => {
    expect(max * (unitOf(key) ?? 1)).toBeLessThanOrEqual(MAX_TIMER_MS);
  });

  it.each(durations)(
    '$section.$key refuses negatives, and 0 unless it is a delay',
    ({ key, min }) => {
      expect(min).toBe(key.endsWith('_delay_secs') ? 0 : 1);
    },
  );

  it.each(durations)('$section.$key accepts its maximum', ({ section, key, max }) => {
    const parts = section.split('.');
    let value: unknown = load(section, `${key} = ${max}`).config;
    for (const part of [...parts, key]) value = (value as Record<string, unknown>)[part];
    expect(value).toBe(max);
  });

  const refused = durations.flatMap((entry) =>
    [String(entry.max + 1), 'inf', '-inf', 'nan', '0', '-1', '2147484', '2147483648']
      .filter((written) => !(Number(written) >= entry.min && Number(written) <= entry.max))
      .map((written) => ({ ...entry, written })),
  );
  it.each(refused)(
    '$section.$key = $written is refused with the key, the value and the range',
    ({ section, key, min, max, written }) => {
      const shown =
        written === 'nan' || written.endsWith('inf') ? written : String(Number(written));
      expect(loadError(section, `${key} = ${written}`)).toBe(
        `config error: ${section}.${key} = ${shown} — expected an integer ${min}–${max}`,
      );
    },
  );

  it('names the bound for the reported case: 2147484 seconds', () => {
    expect(loadError('channels_config.web', 'handshake_timeout_secs = 2147484')).toBe(
      'config error: channels_config.web.handshake_timeout_secs = 2147484 — expected an integer 1–2147483',
    );
  });
});
