#!/usr/bin/env node
// The `gatehouse` command. It runs the bundle (gatehouse.cjs beside it) from V8's code cache, made
// when the bundle was built: a gateway then starts without parsing and compiling its ~3 MB of
// JavaScript, most of what start-up used to cost. The cache is used only when it was made from
// this very bundle (same size and modification time) and V8 accepts it (same Node version and
// flags); otherwise the bundle is compiled as usual, which is slower but otherwise the same.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Script } from 'node:vm';

const bundle = fileURLToPath(new URL('./gatehouse.cjs', import.meta.url));
const cacheFile = `${bundle}.cache`;
const stamp = (() => {
  const stat = statSync(bundle);
  return `${stat.size}:${Math.trunc(stat.mtimeMs)}`;
})();

/** The cache's data when it was made from this bundle; why not otherwise. */
function readCache() {
  let data;
  try {
    data = readFileSync(cacheFile);
  } catch {
    return { status: 'none' };
  }
  const newline = data.indexOf(0x0a);
  if (newline === -1 || data.subarray(0, newline).toString('latin1') !== stamp) {
    return { status: 'stale' };
  }
  return { status: 'used', data: data.subarray(newline + 1) };
}

const cache = readCache();
// The bundle is ASCII (esbuild escapes the rest), so latin1 reads it exactly, and Node keeps a
// string this large outside the JavaScript heap.
const script = new Script(readFileSync(bundle, 'latin1'), {
  filename: bundle,
  cachedData: cache.data,
});
if (process.env.GATEHOUSE_DEBUG_CODE_CACHE === '1') {
  const status = cache.status === 'used' && script.cachedDataRejected ? 'rejected' : cache.status;
  process.stderr.write(`gatehouse code cache: ${status}\n`);
}

// The build runs one start-up with this set, and the cache holds what that start-up compiled.
const cacheOut = process.env.GATEHOUSE_CODE_CACHE_OUT;
if (cacheOut !== undefined && cacheOut !== '') {
  delete process.env.GATEHOUSE_CODE_CACHE_OUT;
  process.once('exit', () => {
    writeFileSync(
      cacheOut,
      Buffer.concat([Buffer.from(`${stamp}\n`, 'latin1'), script.createCachedData()]),
    );
  });
}

// Start-up keeps the young generation at its initial size; `gatehouse start` allows growth again
// once it listens (src/runtime/young-generation.ts says why). A factor set by the user is kept
// (the same test as growthFactorChosenByUser there; this file cannot import from the bundle).
const userFactor = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((arg) =>
  /--semi[-_]space[-_]growth[-_]factor/.test(arg),
);
if (!userFactor) setFlagsFromString('--semi-space-growth-factor=1');

const bundleModule = { exports: {} };
script
  .runInThisContext()
  .call(
    bundleModule.exports,
    bundleModule.exports,
    createRequire(bundle),
    bundleModule,
    bundle,
    fileURLToPath(new URL('.', import.meta.url)),
  );
