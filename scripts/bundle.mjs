// Bundles the compiled CLI (dist/cli/main.js) into dist/gatehouse.js plus chunks for what is
// loaded on demand (the Redis client, the PostgreSQL driver, channel adapters). Start-up then
// reads a handful of files instead of several hundred: module loading is most of the time a
// gateway spends before it listens. Native and worker-based packages stay external.
import { realpathSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');

/** Packages that must be loaded from node_modules: a native addon, and one loaded only on a TTY. */
const EXTERNAL = ['better-sqlite3', 'pino-pretty'];

export async function bundle() {
  rmSync(join(dist, 'chunks'), { recursive: true, force: true });
  await build({
    entryPoints: { gatehouse: join(dist, 'cli', 'main.js') },
    outdir: dist,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: EXTERNAL,
    sourcemap: true,
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: 'warning',
    // Bundled CommonJS packages call require() for Node built-ins; ESM has no require of its own.
    banner: {
      js: "import { createRequire as __gatehouseRequire } from 'node:module'; const require = __gatehouseRequire(import.meta.url);",
    },
  });
}

// Run as a script (not imported by build-if-needed.mjs): compare real paths, so a checkout under
// a symlink or a path with spaces still bundles.
const invokedAs = process.argv[1] === undefined ? undefined : realpathSync(process.argv[1]);
if (invokedAs === realpathSync(fileURLToPath(import.meta.url))) await bundle();
