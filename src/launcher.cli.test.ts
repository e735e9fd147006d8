import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCliIfStale } from './test-support/gatehouse-process.js';

/*
 * The `gatehouse` command (scripts/launcher.mjs, built to dist/gatehouse.js) runs the bundle from
 * the code cache the build made. A cache made from another bundle, or one V8 refuses, must not be
 * used: the bundle is then compiled as usual and the command works the same.
 */

const DIST = join(import.meta.dirname, '..', 'dist');
const FILES = ['gatehouse.js', 'gatehouse.cjs'];
const version = (
  JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as {
    version: string;
  }
).version;

let copy: string;

beforeAll(() => {
  buildCliIfStale();
  // A copy beside the package, so the bundle still finds package.json and node_modules above it.
  copy = mkdtempSync(join(DIST, '..', '.launcher-test-'));
  for (const file of FILES) copyFileSync(join(DIST, file), join(copy, file));
});

afterAll(() => {
  rmSync(copy, { recursive: true, force: true });
});

const stampOf = (bundle: string) => {
  const stat = statSync(bundle);
  return `${stat.size}:${Math.trunc(stat.mtimeMs)}`;
};

/** Runs `gatehouse --version` from the copy; returns what it printed and what became of the cache. */
function runVersion(): { version: string; cache: string | undefined } {
  const result = spawnSync(process.execPath, [join(copy, 'gatehouse.js'), '--version'], {
    encoding: 'utf8',
    env: { ...process.env, GATEHOUSE_DEBUG_CODE_CACHE: '1' },
  });
  expect(result.status).toBe(0);
  return {
    version: result.stdout.trim(),
    cache: /^gatehouse code cache: (\w+)$/m.exec(result.stderr)?.[1],
  };
}

describe('the gatehouse launcher', () => {
  it('the build leaves a code cache made from the bundle beside it', () => {
    const cache = readFileSync(join(DIST, 'gatehouse.cjs.cache'));
    const stamp = cache.subarray(0, cache.indexOf(0x0a)).toString('latin1');
    expect(stamp).toBe(stampOf(join(DIST, 'gatehouse.cjs')));
    // V8's cached data follows the stamp: more than a token of it.
    expect(cache.length - stamp.length).toBeGreaterThan(100_000);
  });

  it('runs the bundle with no cache at all', () => {
    rmSync(join(copy, 'gatehouse.cjs.cache'), { force: true });
    expect(runVersion()).toEqual({ version, cache: 'none' });
  });

  it('runs the bundle from a cache made from it', () => {
    // The copy has its own modification time: the build's cache names another bundle.
    const cache = readFileSync(join(DIST, 'gatehouse.cjs.cache'));
    const data = cache.subarray(cache.indexOf(0x0a) + 1);
    writeFileSync(
      join(copy, 'gatehouse.cjs.cache'),
      Buffer.concat([Buffer.from(`${stampOf(join(copy, 'gatehouse.cjs'))}\n`), data]),
    );
    expect(runVersion()).toEqual({ version, cache: 'used' });
  });

  it('ignores a cache made from another bundle', () => {
    const cache = readFileSync(join(DIST, 'gatehouse.cjs.cache'));
    const data = cache.subarray(cache.indexOf(0x0a) + 1);
    writeFileSync(join(copy, 'gatehouse.cjs.cache'), Buffer.concat([Buffer.from('1:1\n'), data]));
    expect(runVersion()).toEqual({ version, cache: 'stale' });
  });

  it('ignores a cache V8 refuses (right stamp, damaged data)', () => {
    writeFileSync(
      join(copy, 'gatehouse.cjs.cache'),
      Buffer.concat([
        Buffer.from(`${stampOf(join(copy, 'gatehouse.cjs'))}\n`),
        Buffer.alloc(4096, 7),
      ]),
    );
    expect(runVersion()).toEqual({ version, cache: 'rejected' });
  });
});
