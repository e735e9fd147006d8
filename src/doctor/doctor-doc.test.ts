import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/*
 * Finding ids are a public interface (scripts match on them), so each one the checks can produce
 * has a row in docs/doctor.md, and the page lists no id the code no longer produces.
 */

const dir = new URL('./', import.meta.url);
const doc = readFileSync(new URL('../../docs/doctor.md', import.meta.url), 'utf8');

const sources = readdirSync(dir)
  .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))
  .map((name) => readFileSync(new URL(name, dir), 'utf8'));
const codeIds = new Set(
  sources.flatMap((text) =>
    [...text.matchAll(/\bid: '([a-z0-9-]+)'/g)].map((match) => match[1] ?? ''),
  ),
);
/** Rows of the tables under "## Findings" whose first cell is an id in backticks. */
const findingsSection = doc.slice(doc.indexOf('## Findings'));
const docIds = new Set(
  [...findingsSection.matchAll(/^\|\s*`([a-z0-9-]+)`\s*\|/gm)].map((match) => match[1] ?? ''),
);

describe('docs/doctor.md', () => {
  it('finds the ids in the code (guards the scan itself)', () => {
    expect(codeIds.size).toBeGreaterThan(20);
    expect(codeIds).toContain('public-without-pairing');
  });

  it.each([...codeIds])('documents the finding id %s', (id) => {
    expect(docIds).toContain(id);
  });

  it('documents no id the code does not produce', () => {
    expect([...docIds].filter((id) => !codeIds.has(id))).toEqual([]);
  });
});
