#!/usr/bin/env node
// The `gatehouse` command. It runs the bundle (gatehouse.cjs beside it) from V8's code cache, made
// when the bundle was built: a gateway then starts without parsing and compiling its ~2 MB of
// JavaScript, most of what start-up used to cost. The cache is used only when it was made from
// this very bundle (same SHA-256) and V8 accepts it (same Node version and flags); otherwise the
// bundle is compiled as usual, which is slower but otherwise the same. With source maps on
// (`node --enable-source-maps`) the bundle is loaded as an ordinary CommonJS module instead, since
// Node maps stack traces only for those.
import { createHash } from 'node:crypto';
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Script } from 'node:vm';

// Beside this file's real path: a global install runs it through a symlink in a bin directory, and
// with --preserve-symlinks-main import.meta.url names the link, not the file.
const bundle = join(dirname(realpathSync(fileURLToPath(import.meta.url))), 'gatehouse.cjs');
const cacheFile = `${bundle}.cache`;
const bytes = readFileSync(bundle);
// The bundle is ASCII (the build checks), so latin1 reads it exactly, and Node keeps a string this
// large outside the JavaScript heap.
const source = bytes.toString('latin1');
// By content, not modification time: an npm install gives every file a new one.
const bundleId = createHash('sha256').update(bytes).digest('hex');
const debug = process.env.GATEHOUSE_DEBUG_CODE_CACHE === '1';

/**
 * V8 settings held while the gateway starts; `gatehouse start` returns them to V8's defaults once
 * it listens. src/runtime/start-up-engine.ts says why and holds the same list (START_UP_SETTINGS;
 * a test keeps the two alike: this file cannot import from the bundle). A setting the user chose
 * is never touched. Called after compiling: V8 accepts a code cache only under the flags it was
 * made with.
 */
const START_UP_SETTINGS = [
  { during: '--semi-space-growth-factor=1', chosenBy: /--semi[-_]space[-_]growth[-_]factor/ },
  { during: '--no-turbofan', chosenBy: /--(no[-_])?(turbofan|opt|jitless)\b/ },
];

function holdStartUpSettings() {
  const given = [...process.execArgv, process.env.NODE_OPTIONS ?? ''];
  for (const { during, chosenBy } of START_UP_SETTINGS) {
    if (!given.some((arg) => chosenBy.test(arg))) setFlagsFromString(during);
  }
}

/** The cache's data when it was made from this bundle; why not otherwise. */
function readCache() {
  let data;
  try {
    data = readFileSync(cacheFile);
  } catch {
    return { status: 'none' };
  }
  const newline = data.indexOf(0x0a);
  if (newline === -1 || data.subarray(0, newline).toString('latin1') !== bundleId) {
    return { status: 'stale' };
  }
  return { status: 'used', data: data.subarray(newline + 1) };
}

function runFromCache() {
  const cache = readCache();
  const script = new Script(source, { filename: bundle, cachedData: cache.data });
  if (debug) {
    const status = cache.status === 'used' && script.cachedDataRejected ? 'rejected' : cache.status;
    process.stderr.write(`gatehouse code cache: ${status}\n`);
  }
  // The build runs one start-up with this set, and the cache holds what that start-up compiled.
  const cacheOut = process.env.GATEHOUSE_CODE_CACHE_OUT;
  if (cacheOut !== undefined && cacheOut !== '') {
    delete process.env.GATEHOUSE_CODE_CACHE_OUT;
    process.once('exit', () => {
      const header = Buffer.from(`${bundleId}\n`, 'latin1');
      writeFileSync(cacheOut, Buffer.concat([header, script.createCachedData()]));
    });
  }
  holdStartUpSettings();
  const bundleModule = { exports: {} };
  script
    .runInThisContext()
    .call(
      bundleModule.exports,
      bundleModule.exports,
      createRequire(bundle),
      bundleModule,
      bundle,
      dirname(bundle),
    );
}

/**
 * The bundle through Node's CommonJS loader, which registers its source map. The bundle is stored
 * as a function expression; the line added below calls it with the module's own arguments.
 */
function runAsModule() {
  if (debug) process.stderr.write('gatehouse code cache: off (source maps)\n');
  const bundleModule = new Module(bundle);
  bundleModule.filename = bundle;
  bundleModule.paths = Module._nodeModulePaths(dirname(bundle));
  holdStartUpSettings();
  bundleModule._compile(`${source}\n(exports, require, module, __filename, __dirname);`, bundle);
}

if (process.sourceMapsEnabled === true) runAsModule();
else runFromCache();
