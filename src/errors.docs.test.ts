import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERRORS } from './errors.js';

/*
 * The registry and docs/errors.md describe the same set of codes, in both directions, and every
 * code is raised somewhere: a documented code a client can never see is as wrong as a missing row.
 */

const srcDir = new URL('.', import.meta.url).pathname;
const errorsDoc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');

/** `| \`CODE\` | status | ... |` rows of the doc: code → status column. */
function documentedCodes(doc: string): Map<string, string> {
  const rows = new Map<string, string>();
  for (const match of doc.matchAll(/^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|\s*([^|]*?)\s*\|/gm)) {
    rows.set(match[1] ?? '', match[2] ?? '');
  }
  return rows;
}

/** Every non-test TypeScript source except the registry itself, as one string. */
function productionSources(dir: string): string {
  let text = '';
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'test-support') text += productionSources(path);
    } else if (
      entry.name.endsWith('.ts') &&
      !entry.name.endsWith('.test.ts') &&
      path !== join(srcDir, 'errors.ts')
    ) {
      text += readFileSync(path, 'utf8');
    }
  }
  return text;
}

const documented = documentedCodes(errorsDoc);
const sources = productionSources(srcDir);
const codes = Object.keys(ERRORS) as (keyof typeof ERRORS)[];

describe('docs/errors.md and src/errors.ts', () => {
  it('finds the table rows (a broken parser would pass everything below vacuously)', () => {
    expect(documented.size).toBeGreaterThan(10);
  });

  it.each(codes)('documents %s with its HTTP status', (code) => {
    expect(documented.get(code)).toBe(String(ERRORS[code].status));
  });

  it.each([...documented.keys()])('documents %s, which exists in the registry', (code) => {
    expect(codes).toContain(code);
  });

  const raises = (code: string): boolean => new RegExp(`['"\`.]${code}['"\`]?\\b`).test(sources);

  it.each(codes)('raises %s somewhere in src/', (code) => {
    expect(raises(code)).toBe(true);
  });
});
