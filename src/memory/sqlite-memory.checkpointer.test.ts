import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type * as Checkpointer from '../state/sqlite-checkpointer.js';

// A runtime that cannot start threads (a permission model without --allow-worker, say).
vi.mock('../state/sqlite-checkpointer.js', async (importOriginal) => ({
  ...(await importOriginal<typeof Checkpointer>()),
  startSqliteCheckpointer: vi.fn(() => {
    throw new Error('worker threads are not allowed');
  }),
}));

const { createSqliteMemory } = await import('./sqlite-memory.js');
const { startSqliteCheckpointer } = await import('../state/sqlite-checkpointer.js');

let dir: string;
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('SqliteMemory without a checkpoint thread', () => {
  it('keeps every store successful and reports the failure once', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-memory-'));
    const errors: string[] = [];
    const memory = createSqliteMemory({
      path: path.join(dir, 'memory.db'),
      onCheckpointError: (message) => errors.push(message),
    });
    await memory.store('a', 'first', 'conversation', 's1', 'user');
    await memory.store('b', 'second', 'conversation', 's1', 'user');
    expect(await memory.count()).toBe(2);
    expect(errors).toEqual(['worker threads are not allowed']);
    expect(startSqliteCheckpointer).toHaveBeenCalledTimes(1);
    await memory.close();
  });
});
