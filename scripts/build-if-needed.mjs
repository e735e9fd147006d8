// Builds dist/ when it is missing or older than any source file. Runs as `prepare` (so `npm install`
// leaves a runnable build), from scripts/start.mjs (so edited sources are never run stale) and from
// the tests that spawn the built CLI.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
// The `gatehouse` command and the bundle it runs (scripts/bundle.mjs writes both).
const outputs = [join(root, 'dist', 'gatehouse.cjs'), join(root, 'dist', 'bundle.cjs')];
const sources = join(root, 'src');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const bundler = join(root, 'node_modules', 'esbuild');

/** Newest mtime of what the build compiles: tests and their support files are not built. */
function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'test-support') newest = Math.max(newest, newestMtime(path));
    } else if (!entry.name.endsWith('.test.ts')) {
      newest = Math.max(newest, statSync(path).mtimeMs);
    }
  }
  return newest;
}

/**
 * The bundle inlines the dependencies, so it is stale when they change (npm install, update or
 * audit fix rewrite node_modules/.package-lock.json) or when the build itself changes.
 */
function newestInput() {
  const inputs = [
    join(root, 'package.json'),
    join(root, 'package-lock.json'),
    join(root, 'node_modules', '.package-lock.json'),
    join(root, 'tsconfig.json'),
    join(root, 'scripts', 'bundle.mjs'),
    join(root, 'scripts', 'launcher.cjs'),
  ].filter((path) => existsSync(path));
  return Math.max(newestMtime(sources), ...inputs.map((path) => statSync(path).mtimeMs));
}

const missing = !outputs.every((path) => existsSync(path));
// An installed package ships dist/ without src/: nothing to compare with, nothing to build.
const stale =
  !missing &&
  existsSync(sources) &&
  Math.min(...outputs.map((path) => statSync(path).mtimeMs)) < newestInput();

if (missing || stale) {
  if (!existsSync(tsc) || !existsSync(bundler)) {
    process.stderr.write(
      `gatehouse: dist/ is ${missing ? 'missing' : 'out of date'} and the build tools (typescript, esbuild) are not installed; run \`npm install\` first\n`,
    );
    process.exit(missing ? 1 : 0);
  }
  process.stderr.write(
    `gatehouse: building dist/ (${missing ? 'first build' : 'sources changed'})…\n`,
  );
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json')], { stdio: 'inherit' });
  const { bundle } = await import('./bundle.mjs');
  await bundle();
}
