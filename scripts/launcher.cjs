#!/usr/bin/env node
// The `gatehouse` command (dist/gatehouse.cjs). It runs the bundle (bundle.cjs beside it) from V8's
// code cache, made when the bundle was built: a gateway then starts without parsing and compiling
// its ~2 MB of JavaScript, most of what start-up used to cost. The cache is used only when it was
// made from this very bundle (same SHA-256) and V8 accepts it (same Node version and flags);
// otherwise the bundle is compiled as usual, which is slower but otherwise the same. With source
// maps on (`node --enable-source-maps`) the bundle is loaded as an ordinary CommonJS module
// instead, since Node maps stack traces only for those. This file is CommonJS too: Node runs an
// ES module entry point through its ES module machinery, about 5 ms more start-up.
'use strict';
const { createHash } = require('node:crypto');
const {
  closeSync,
  fstatSync,
  openSync,
  readSync,
  realpathSync,
  writeFileSync,
} = require('node:fs');
const Module = require('node:module');
const { dirname, join } = require('node:path');
const { setFlagsFromString } = require('node:v8');
const { Script } = require('node:vm');

// Beside this file's real path: a global install runs it through a symlink in a bin directory, and
// with --preserve-symlinks-main __filename names the link, not the file.
const bundle = join(dirname(realpathSync(__filename)), 'bundle.cjs');
const cacheFile = `${bundle}.cache`;

/**
 * The file's bytes, read into `into` when it is large enough (else into a new buffer). On a VM
 * where the first touch of a page of memory is slow, a second buffer for the code cache cost more
 * start-up time than reading it, so the cache is read into the buffer the bundle was read into.
 */
function readInto(path, into) {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const buffer = into !== undefined && into.length >= size ? into : Buffer.allocUnsafeSlow(size);
    let length = 0;
    while (length < size) {
      const read = readSync(fd, buffer, length, size - length, null);
      if (read === 0) break;
      length += read;
    }
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

/**
 * The bundle's bytes and its source. The bundle is ASCII (the build checks), so latin1 reads it
 * exactly, and Node keeps a string this large outside the JavaScript heap.
 */
function readBundle() {
  const bytes = readInto(bundle);
  return { bytes, source: bytes.toString('latin1') };
}

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

/**
 * The cache's data when it was made from the bundle `bundleId`; why not otherwise. Read into
 * `buffer`, whose old content (the bundle's bytes) is no longer needed.
 */
function readCache(bundleId, buffer) {
  let data;
  try {
    data = readInto(cacheFile, buffer);
  } catch {
    return { status: 'none' };
  }
  const newline = data.indexOf(0x0a);
  if (newline === -1 || data.subarray(0, newline).toString('latin1') !== bundleId) {
    return { status: 'stale' };
  }
  return { status: 'used', data: data.subarray(newline + 1) };
}

/** Compiles the bundle from its code cache when that is valid; nothing here holds the buffers. */
function compileFromCache() {
  const { bytes, source } = readBundle();
  // By content, not modification time: an npm install gives every file a new one.
  const id = createHash('sha256').update(bytes).digest('hex');
  const cache = readCache(id, Buffer.from(bytes.buffer, bytes.byteOffset));
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
      const header = Buffer.from(`${id}\n`, 'latin1');
      writeFileSync(cacheOut, Buffer.concat([header, script.createCachedData()]));
    });
  }
  return script;
}

function runFromCache() {
  const script = compileFromCache();
  holdStartUpSettings();
  const bundleModule = { exports: {} };
  script
    .runInThisContext()
    .call(
      bundleModule.exports,
      bundleModule.exports,
      Module.createRequire(bundle),
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
  const { source } = readBundle();
  bundleModule._compile(`${source}\n(exports, require, module, __filename, __dirname);`, bundle);
}

if (process.sourceMapsEnabled === true) runAsModule();
else runFromCache();
