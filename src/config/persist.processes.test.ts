import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import ts from 'typescript';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readPairedTokenEntries } from './persist.js';

/*
 * Two real node processes editing one config file at once: the race the lock file exists for.
 * tsx is not installed and dist/ may be stale, so the persist modules are transpiled from source
 * into a temp dir (with node_modules linked for toml-patch) and run from there.
 */

const SRC = new URL('.', import.meta.url).pathname;
const ROOT = new URL('../../', import.meta.url).pathname;
const MODULES = ['persist', 'atomic-write', 'commented-key', 'file-lock', 'lock-file-io'];
const EDITS_PER_PROCESS = 25;

const WORKER = `
import { createInterface } from 'node:readline';
import { appendPairedTokenHash } from './persist.js';
const [path, name, count] = process.argv.slice(2);
const lines = createInterface({ input: process.stdin });
process.stdout.write('ready\\n');
for await (const line of lines) if (line === 'go') break;
for (let i = 0; i < Number(count); i += 1) await appendPairedTokenHash(path, name + '-' + i);
process.stdout.write('done\\n');
process.exit(0);
`;

let dir: string;
const children: ChildProcess[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-persist-procs-'));
  const lib = join(dir, 'lib');
  mkdirSync(lib);
  writeFileSync(join(lib, 'package.json'), '{"type":"module"}\n');
  symlinkSync(join(ROOT, 'node_modules'), join(lib, 'node_modules'), 'dir');
  for (const name of MODULES) {
    const source = readFileSync(join(SRC, `${name}.ts`), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    writeFileSync(join(lib, `${name}.js`), outputText);
  }
  writeFileSync(join(lib, 'worker.js'), WORKER);
});

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill();
  rmSync(dir, { recursive: true, force: true });
});

/** Starts a worker and resolves once it is waiting for `go`. */
function startWorker(configPath: string, name: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [join(dir, 'lib', 'worker.js'), configPath, name, String(EDITS_PER_PROCESS)],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`worker ${name} exited early (${code})`)));
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.once('line', () => resolve(child));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('updateConfigFile across processes', () => {
  it('keeps every change when two processes edit the config at the same time', async () => {
    const configPath = join(dir, 'config.toml');
    writeFileSync(configPath, '# operator comment\n[gateway]\nport = 3000\n');
    const workers = await Promise.all([
      startWorker(configPath, 'gateway'),
      startWorker(configPath, 'cli'),
    ]);
    for (const worker of workers) worker.stdin?.write('go\n');
    expect(await Promise.all(workers.map(exited))).toEqual([0, 0]);

    const entries = await readPairedTokenEntries(configPath);
    const expected = ['gateway', 'cli'].flatMap((name) =>
      Array.from({ length: EDITS_PER_PROCESS }, (_, i) => `${name}-${i}`),
    );
    expect([...entries].sort()).toEqual(expected.sort());
    expect(readFileSync(configPath, 'utf8')).toContain('# operator comment');
    expect(existsSync(`${configPath}.lock`)).toBe(false);
  }, 60_000);
});
