// Builds dist/ when it is missing or older than any source file. Runs as `prepare` (so `npm install`
// leaves a runnable build) and from scripts/start.mjs (so edited sources are never run stale).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const entry = join(root, 'dist', 'cli', 'main.js');
const sources = join(root, 'src');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const mtime = entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs;
    if (mtime > newest) newest = mtime;
  }
  return newest;
}

const missing = !existsSync(entry);
// An installed package ships dist/ without src/: nothing to compare with, nothing to build.
const stale = !missing && existsSync(sources) && statSync(entry).mtimeMs < newestMtime(sources);

if (missing || stale) {
  if (!existsSync(tsc)) {
    process.stderr.write(
      `gatehouse: dist/ is ${missing ? 'missing' : 'out of date'} and TypeScript is not installed; run \`npm install\` first\n`,
    );
    process.exit(missing ? 1 : 0);
  }
  process.stderr.write(
    `gatehouse: building dist/ (${missing ? 'first build' : 'sources changed'})…\n`,
  );
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json')], { stdio: 'inherit' });
}
