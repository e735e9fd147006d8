import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildCliIfStale } from '../test-support/gatehouse-process.js';

/*
 * In a process of its own (a test runner keeps its event loop alive and would hide this): once
 * the memory has been written to, closing it stops the checkpoint thread and returns, and the
 * code after close() runs, as a gateway's remaining shutdown steps must.
 */

const root = new URL('../../', import.meta.url).pathname;
const run = promisify(execFile);
let dir: string;

beforeAll(() => buildCliIfStale(), 180_000);
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('SqliteMemory.close in its own process', () => {
  it('returns after stopping the checkpoint thread, and the process goes on', async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-memory-close-'));
    const module = pathToFileURL(join(root, 'dist/memory/sqlite-memory.js')).href;
    const script = `
      import { createSqliteMemory } from ${JSON.stringify(module)};
      const memory = createSqliteMemory({ path: ${JSON.stringify(join(dir, 'memory.db'))} });
      await memory.store('k', 'hello', 'conversation', 's1', 'user');
      await new Promise((resolve) => setTimeout(resolve, 100));
      await memory.close();
      console.log('after close');
    `;
    // A file, not `-e`: an evaluated module is kept alive differently from an entry file.
    const entry = join(dir, 'close.mjs');
    writeFileSync(entry, script);
    const { stdout } = await run(process.execPath, [entry], {
      timeout: 20_000,
    });
    expect(stdout).toBe('after close\n');
  });
});
