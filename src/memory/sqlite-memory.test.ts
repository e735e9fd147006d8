import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runMemoryContract } from '../test-support/memory-contract.js';
import { createSqliteMemory } from './sqlite-memory.js';
import { ftsMatchExpression, likePattern, queryTerms } from './sqlite-memory-schema.js';

function tempHarness(recall: 'fts5' | 'like') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-memory-'));
  return {
    memory: createSqliteMemory({ path: path.join(dir, 'memory.db'), recall }),
    persists: true,
    cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

runMemoryContract('sqlite (FTS5)', () => tempHarness('fts5'));
runMemoryContract('sqlite (LIKE fallback)', () => tempHarness('like'));

describe('SqliteMemory', () => {
  let dir: string;
  let file: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-memory-'));
    file = path.join(dir, 'memory.db');
  });

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('checkpoints its WAL on a thread of its own once something is written', async () => {
    const memory = createSqliteMemory({ path: file });
    const before = fs.statSync(file).size;
    // Far fewer pages than the writer's own auto-checkpoint threshold: only the thread copies them.
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        memory.store(`k${i}`, `a remembered line ${i} `.repeat(20), 'conversation', 's1', 'user'),
      ),
    );
    const deadline = Date.now() + 5_000;
    while (fs.statSync(file).size <= before && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(fs.statSync(file).size).toBeGreaterThan(before);
    await memory.close();
  });

  it('uses FTS5 from the bundled SQLite', async () => {
    const memory = createSqliteMemory({ path: file });
    expect(memory.recallMode).toBe('fts5');
    await memory.close();
  });

  it('keeps conversations across a restart', async () => {
    const first = createSqliteMemory({ path: file, clock: () => Date.UTC(2024, 0, 1) });
    await first.store('m1', 'remember the blue door', 'conversation', 's1', 'user');
    await first.store('m2', 'noted', 'conversation', 's1', 'assistant');
    await first.close();

    const second = createSqliteMemory({ path: file });
    expect(await second.count()).toBe(2);
    expect((await second.history('s1', 10)).map((e) => e.content)).toEqual([
      'remember the blue door',
      'noted',
    ]);
    expect((await second.get('m1'))?.createdAt).toBe('2024-01-01T00:00:00.000Z');
    expect((await second.recall('door', 5)).map((e) => e.key)).toEqual(['m1']);
    await second.close();
  });

  it('indexes rows written without FTS once FTS5 is enabled', async () => {
    const plain = createSqliteMemory({ path: file, recall: 'like' });
    await plain.store('old', 'written before the index existed', 'custom');
    await plain.close();
    const indexed = createSqliteMemory({ path: file });
    expect((await indexed.recall('index', 5)).map((e) => e.key)).toEqual(['old']);
    await indexed.close();
  });

  it('creates the file readable by its owner only', async () => {
    const memory = createSqliteMemory({ path: file });
    if (process.platform !== 'win32') expect(fs.statSync(file).mode & 0o077).toBe(0);
    await memory.close();
  });

  it('rejects calls after close', async () => {
    const memory = createSqliteMemory({ path: file });
    await memory.close();
    await expect(memory.count()).rejects.toThrow('closed');
  });
});

describe('query building', () => {
  it.each([
    ['Hello, World!', ['hello', 'world']],
    ['a a A', ['a']],
    ['NEAR(x y) OR "z', ['near', 'x', 'y', 'or', 'z']],
    ['col:val^2*', ['col', 'val', '2']],
    ['snake_case', ['snake_case']],
    ['Grüße 東京', ['grüße', '東京']],
    ['!!! ---', []],
  ])('queryTerms(%j) = %j', (query, terms) => {
    expect(queryTerms(query)).toEqual(terms);
  });

  it('caps the number of terms', () => {
    expect(queryTerms(Array.from({ length: 100 }, (_, i) => `w${i}`).join(' '))).toHaveLength(32);
  });

  it('quotes every term of a MATCH expression', () => {
    expect(ftsMatchExpression(['near', 'x'])).toBe('"near" OR "x"');
  });

  it.each([
    ['plain', '%plain%'],
    ['100%', '%100\\%%'],
    ['a_b', '%a\\_b%'],
    ['back\\slash', '%back\\\\slash%'],
  ])('likePattern(%j) = %j', (term, pattern) => {
    expect(likePattern(term)).toBe(pattern);
  });
});
