import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCliIfStale } from './test-support/gatehouse-process.js';

/*
 * The `gatehouse` command (scripts/launcher.cjs, built to dist/gatehouse.cjs) runs the bundle from
 * the code cache the build made. A cache made from another bundle, or one V8 refuses, must not be
 * used: the bundle is then compiled as usual and the command works the same.
 */

const DIST = join(import.meta.dirname, '..', 'dist');
const FILES = ['gatehouse.cjs', 'gatehouse.js', 'bundle.cjs', 'bundle.cjs.map'];
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

const stampOf = (bundle: string) => createHash('sha256').update(readFileSync(bundle)).digest('hex');

/**
 * Runs `gatehouse --version` from the copy (through `entry`); returns what it printed and what
 * became of the cache.
 */
function runVersion(
  nodeArgs: string[] = [],
  entry = 'gatehouse.cjs',
): { version: string; cache: string | undefined } {
  const result = spawnSync(process.execPath, [...nodeArgs, join(copy, entry), '--version'], {
    encoding: 'utf8',
    env: { ...process.env, GATEHOUSE_DEBUG_CODE_CACHE: '1' },
  });
  expect(result.status).toBe(0);
  return {
    version: result.stdout.trim(),
    cache: /^gatehouse code cache: (.+)$/m.exec(result.stderr)?.[1],
  };
}

describe('the gatehouse launcher', () => {
  it('the build leaves a code cache made from the bundle beside it', () => {
    const cache = readFileSync(join(DIST, 'bundle.cjs.cache'));
    const stamp = cache.subarray(0, cache.indexOf(0x0a)).toString('latin1');
    expect(stamp).toBe(stampOf(join(DIST, 'bundle.cjs')));
    // V8's cached data follows the stamp: more than a token of it.
    expect(cache.length - stamp.length).toBeGreaterThan(100_000);
  });

  it('runs the bundle with no cache at all', () => {
    rmSync(join(copy, 'bundle.cjs.cache'), { force: true });
    expect(runVersion()).toEqual({ version, cache: 'none' });
  });

  it('runs the bundle from a cache made from it, wherever it was copied', () => {
    // An install gives the files new modification times: only the content names the bundle.
    copyFileSync(join(DIST, 'bundle.cjs.cache'), join(copy, 'bundle.cjs.cache'));
    expect(runVersion()).toEqual({ version, cache: 'used' });
  });

  it('ignores a cache made from another bundle of the same length', () => {
    copyFileSync(join(DIST, 'bundle.cjs.cache'), join(copy, 'bundle.cjs.cache'));
    const bundle = readFileSync(join(copy, 'bundle.cjs'), 'latin1');
    // One character of a string in the bundle changed: same length, different content.
    const at = bundle.indexOf('gatehouse listening on ');
    writeFileSync(
      join(copy, 'bundle.cjs'),
      `${bundle.slice(0, at)}G${bundle.slice(at + 1)}`,
      'latin1',
    );
    try {
      expect(runVersion()).toEqual({ version, cache: 'stale' });
    } finally {
      copyFileSync(join(DIST, 'bundle.cjs'), join(copy, 'bundle.cjs'));
    }
  });

  it('ignores a cache V8 refuses (right stamp, damaged data)', () => {
    writeFileSync(
      join(copy, 'bundle.cjs.cache'),
      Buffer.concat([Buffer.from(`${stampOf(join(copy, 'bundle.cjs'))}\n`), Buffer.alloc(4096, 7)]),
    );
    expect(runVersion()).toEqual({ version, cache: 'rejected' });
  });

  it('still runs as dist/gatehouse.js, the name service units written for earlier builds use', () => {
    copyFileSync(join(DIST, 'bundle.cjs.cache'), join(copy, 'bundle.cjs.cache'));
    expect(runVersion([], 'gatehouse.js')).toEqual({ version, cache: 'used' });
  });

  it('with source maps on, loads the bundle so that stack traces point into the sources', () => {
    // A preload records the stack of the first write to stdout, which the bundle makes.
    const preload = join(copy, 'first-write-stack.cjs');
    writeFileSync(
      preload,
      `const write = process.stdout.write.bind(process.stdout);
let seen = false;
process.stdout.write = (...args) => {
  if (!seen) { seen = true; process.stderr.write(new Error('probe').stack + '\\n'); }
  return write(...args);
};
`,
    );
    const result = spawnSync(
      process.execPath,
      ['--enable-source-maps', '--require', preload, join(copy, 'gatehouse.cjs'), '--version'],
      { encoding: 'utf8', env: { ...process.env, GATEHOUSE_DEBUG_CODE_CACHE: '1' } },
    );
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe(version);
    expect(result.stderr).toContain('gatehouse code cache: off (source maps)');
    expect(result.stderr).toMatch(/src\/cli\/program\.ts:\d+/);
    expect(result.stderr).not.toMatch(/bundle\.cjs:\d+/);
  });

  it('runs through a symlinked bin, also with --preserve-symlinks-main', () => {
    // What a global install makes: a link in a bin directory to dist/gatehouse.cjs.
    const bin = mkdtempSync(join(tmpdir(), 'gatehouse-bin-'));
    try {
      symlinkSync(join(DIST, 'gatehouse.cjs'), join(bin, 'gatehouse'));
      // And one made for an earlier build, to the former name.
      symlinkSync(join(DIST, 'gatehouse.js'), join(bin, 'gatehouse-former.js'));
      const runs = [[], ['--preserve-symlinks-main']].flatMap((nodeArgs) =>
        ['gatehouse', 'gatehouse-former.js'].map((link) => ({ nodeArgs, link })),
      );
      for (const { nodeArgs, link } of runs) {
        const result = spawnSync(process.execPath, [...nodeArgs, join(bin, link), '--version'], {
          encoding: 'utf8',
        });
        expect({ nodeArgs, link, status: result.status, stderr: result.stderr }).toEqual({
          nodeArgs,
          link,
          status: 0,
          stderr: '',
        });
        expect(result.stdout.trim()).toBe(version);
      }
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it('runs the bundle as strict code, like the modules it is built from', () => {
    // The directive must open the function the bundle is stored as, or it does nothing.
    expect(readFileSync(join(DIST, 'bundle.cjs'), 'latin1')).toMatch(
      /^\(function \(exports, require, module, __filename, __dirname\) \{ 'use strict';/,
    );
  });
});
