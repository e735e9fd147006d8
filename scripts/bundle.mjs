// Bundles the compiled CLI (dist/cli/main.js) into one CommonJS file, dist/bundle.cjs, and makes
// V8's code cache for it by running one gateway start-up; dist/gatehouse.cjs (the `gatehouse`
// command, scripts/launcher.cjs) runs the bundle from that cache. Start-up then reads
// three files instead of several hundred and compiles almost nothing. CommonJS because Node 20
// can cache compiled code only for scripts (vm.Script), not for ES modules. Modules loaded on
// demand stay lazy inside the bundle (esbuild wraps them); the packages below stay in
// node_modules: a native addon, one loaded only on a TTY, and the Redis and PostgreSQL drivers,
// which only a gateway configured for them loads.
import { spawn } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const BUNDLE = join(dist, 'bundle.cjs');
const LAUNCHER = join(dist, 'gatehouse.cjs');
// The command's name before it became CommonJS, kept for service units and scripts that run it.
const FORMER_LAUNCHER = join(dist, 'gatehouse.js');
const CACHE = `${BUNDLE}.cache`;
const WARM_UP_TIMEOUT_MS = 30_000;

const EXTERNAL = ['better-sqlite3', 'pino-pretty', 'pg', 'redis', '@redis/*', 'undici'];

/**
 * Modules that dependencies require at load time but gatehouse uses rarely or never: each is
 * replaced by a stand-in that requires the real one on first use. prom-client's index loads its
 * Pushgateway (and with it https, tls and zlib), Fastify's server node:http2 and node:https; none
 * is used by a gateway that serves plain HTTP/1.1 (TLS ends at the proxy or tunnel) and is
 * scraped, and loading them cost start-up time and about a megabyte of memory.
 */
const LOAD_ON_FIRST_USE = [
  { importer: /[\\/]prom-client[\\/]index\.js$/, request: './lib/pushgateway', kind: 'class' },
  { importer: /[\\/]fastify[\\/]lib[\\/]server\.js$/, request: 'node:http2', kind: 'object' },
  { importer: /[\\/]fastify[\\/]lib[\\/]server\.js$/, request: 'node:https', kind: 'object' },
];

const loadOnFirstUse = {
  name: 'load-on-first-use',
  setup(build) {
    for (const { importer, request, kind } of LOAD_ON_FIRST_USE) {
      const filter = new RegExp(`^${request.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`);
      build.onResolve({ filter }, async (args) => {
        if (!importer.test(args.importer) || args.pluginData === 'real') return undefined;
        const real = await build.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          pluginData: 'real',
        });
        if (real.errors.length > 0) return { errors: real.errors };
        return {
          path: real.path,
          namespace: 'load-on-first-use',
          pluginData: { target: real.external ? args.path : real.path, kind },
        };
      });
    }
    build.onLoad({ filter: /.*/, namespace: 'load-on-first-use' }, (args) => {
      const target = JSON.stringify(args.pluginData.target);
      const load = `(real ??= require(${target}))`;
      const contents = `let real;\nmodule.exports = ${
        {
          class: `function LoadedOnFirstUse(...args) { return new ${load}(...args); }`,
          object: `new Proxy({}, { get: (_, key) => ${load}[key] })`,
        }[args.pluginData.kind]
      };\n`;
      return { contents, loader: 'js', resolveDir: root };
    });
  },
};

export async function bundle() {
  rmSync(join(dist, 'chunks'), { recursive: true, force: true });
  rmSync(CACHE, { force: true });
  // What the bundle was called before dist/gatehouse.cjs became the command.
  for (const former of ['.cache', '.map', '.LEGAL.txt']) {
    rmSync(`${LAUNCHER}${former}`, { force: true });
  }
  await build({
    entryPoints: [join(dist, 'cli', 'main.js')],
    outfile: BUNDLE,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    external: EXTERNAL,
    plugins: [loadOnFirstUse],
    // import() becomes require(): the bundle runs as a vm.Script, which has no module loader.
    supported: { 'dynamic-import': false },
    sourcemap: true,
    minifyWhitespace: true,
    minifySyntax: true,
    // ASCII only (the launcher reads the bundle as latin1); licence comments go to a file beside it.
    charset: 'ascii',
    legalComments: 'external',
    logLevel: 'warning',
    define: { 'import.meta.url': '__gatehouseBundleUrl' },
    // The bundle is stored as the function Node would wrap a CommonJS file in, so the launcher
    // compiles the file's text as it is (no second 2 MB copy of it with a wrapper around). Strict,
    // as the ES modules it is built from: the directive must come first to count.
    banner: {
      js: "(function (exports, require, module, __filename, __dirname) { 'use strict'; var __gatehouseBundleUrl = require('node:url').pathToFileURL(__filename).href;",
    },
    footer: { js: '})' },
  });
  assertAscii(BUNDLE);
  copyFileSync(join(root, 'scripts', 'launcher.cjs'), LAUNCHER);
  chmodSync(LAUNCHER, 0o755);
  // From its real path, as the command does: run through a symlink under --preserve-symlinks-main,
  // a relative import would be looked up beside the link.
  writeFileSync(
    FORMER_LAUNCHER,
    [
      '#!/usr/bin/env node',
      "import { realpathSync } from 'node:fs';",
      "import { createRequire } from 'node:module';",
      "import { fileURLToPath } from 'node:url';",
      "createRequire(realpathSync(fileURLToPath(import.meta.url)))('./gatehouse.cjs');",
      '',
    ].join('\n'),
  );
  chmodSync(FORMER_LAUNCHER, 0o755);
  try {
    await makeCodeCache();
  } catch (error) {
    // Without the cache the gateway is the same, only slower to start: say so, do not fail.
    rmSync(CACHE, { force: true });
    process.stderr.write(
      `gatehouse: no code cache made, start-up will be slower: ${error.message}\n`,
    );
  }
}

function assertAscii(path) {
  const text = readFileSync(path);
  const at = text.findIndex((byte) => byte > 0x7f);
  if (at !== -1) throw new Error(`${path} has a non-ASCII byte at offset ${at}`);
}

/** One start-up in a throwaway home, on a free port; the launcher writes the cache as it exits. */
async function makeCodeCache() {
  const home = mkdtempSync(join(tmpdir(), 'gatehouse-build-'));
  const config = join(home, 'config.toml');
  writeFileSync(config, '[gateway]\nport = 0\n\n[observability]\nlog_level = "warn"\n');
  try {
    const child = spawn(process.execPath, [LAUNCHER, 'start', '--config', config], {
      env: { ...process.env, GATEHOUSE_HOME: home, GATEHOUSE_CODE_CACHE_OUT: CACHE },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    let timer;
    const listening = await new Promise((resolve) => {
      timer = setTimeout(() => resolve(false), WARM_UP_TIMEOUT_MS);
      createInterface({ input: child.stdout }).on('line', (line) => {
        if (line.startsWith('gatehouse listening on ')) resolve(true);
      });
      void exited.then(() => resolve(false));
    }).finally(() => clearTimeout(timer));
    if (child.exitCode === null) child.kill('SIGTERM');
    const status = await exited;
    if (!listening) throw new Error(`the warm-up start did not listen\n${stderr}`);
    if (status !== 0 || statSync(CACHE, { throwIfNoEntry: false }) === undefined) {
      throw new Error(`the warm-up start exited with ${status}\n${stderr}`);
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

// Run as a script (not imported by build-if-needed.mjs): compare real paths, so a checkout under
// a symlink or a path with spaces still bundles.
const invokedAs = process.argv[1] === undefined ? undefined : realpathSync(process.argv[1]);
if (invokedAs === realpathSync(fileURLToPath(import.meta.url))) await bundle();
