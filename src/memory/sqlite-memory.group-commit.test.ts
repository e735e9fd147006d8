import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteMemory, type SqliteMemory } from './sqlite-memory.js';

describe('SqliteMemory group commit', () => {
  let dir: string;
  let file: string;
  let memory: SqliteMemory;
  /** A second connection: sees only what was committed. */
  let peek: Database.Database;

  const committedKeys = (): string[] =>
    peek.prepare<[], string>('SELECT key FROM memories ORDER BY id').pluck().all();

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-memory-'));
    file = path.join(dir, 'memory.db');
    memory = createSqliteMemory({ path: file });
    peek = new Database(file);
  });

  afterEach(async () => {
    peek.close();
    await memory.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('commits stores made in one turn together, once they are awaited', async () => {
    const stores = [
      memory.store('a', 'first', 'conversation', 's1', 'user'),
      memory.store('b', 'second', 'conversation', 's2', 'user'),
    ];
    expect(committedKeys()).toEqual([]);
    await Promise.all(stores);
    expect(committedKeys()).toEqual(['a', 'b']);
  });

  it.each([
    ['history', async (m: SqliteMemory) => (await m.history('s1', 10)).map((e) => e.key)],
    ['get', async (m: SqliteMemory) => [(await m.get('a'))?.key]],
    ['list', async (m: SqliteMemory) => (await m.list()).map((e) => e.key)],
    ['recall', async (m: SqliteMemory) => (await m.recall('pending', 10)).map((e) => e.key)],
    ['count', async (m: SqliteMemory) => [await m.count()]],
  ])('%s sees a store that was not awaited yet', async (_name, read) => {
    const stored = memory.store('a', 'pending words', 'conversation', 's1', 'user');
    const seen = await read(memory);
    expect(seen).toEqual(_name === 'count' ? [1] : ['a']);
    await stored;
  });

  it('holds a deferrable store back for the next commit', async () => {
    const reply = memory.store('reply', 'answer', 'conversation', 's1', 'assistant', {
      deferrable: true,
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(committedKeys()).toEqual([]);
    const next = memory.store('next', 'question', 'conversation', 's2', 'user');
    await Promise.all([reply, next]);
    expect(committedKeys()).toEqual(['reply', 'next']);
  });

  it('commits a deferrable store on its own when no other follows', async () => {
    await memory.store('reply', 'answer', 'conversation', 's1', 'assistant', { deferrable: true });
    expect(committedKeys()).toEqual(['reply']);
  });

  it('shows a held-back store to reads before its commit', async () => {
    const reply = memory.store('reply', 'answer', 'conversation', 's1', 'assistant', {
      deferrable: true,
    });
    expect((await memory.history('s1', 10)).map((e) => e.key)).toEqual(['reply']);
    await reply;
  });

  it('forgets a store that was not awaited yet', async () => {
    const stored = memory.store('a', 'pending', 'custom');
    expect(await memory.forget('a')).toBe(true);
    await stored;
    expect(await memory.count()).toBe(0);
  });

  it('reads a session history with its queued stores, committing none of them', async () => {
    const mine = memory.store('mine', 'in s1', 'conversation', 's1', 'user');
    const other = memory.store('other', 'in s2', 'conversation', 's2', 'user');
    expect(await memory.history('fresh', 10)).toEqual([]);
    expect(await memory.history('s1', 10)).toEqual([
      {
        key: 'mine',
        content: 'in s1',
        category: 'conversation',
        sessionId: 's1',
        role: 'user',
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
    ]);
    expect(committedKeys()).toEqual([]);
    await Promise.all([mine, other]);
    expect(await memory.history('s1', 10)).toEqual([await memory.get('mine')]);
  });

  it('lets a conversation turn read the held-back reply and commit it with its question', async () => {
    await memory.store('q1', 'question 1', 'conversation', 's1', 'user');
    const reply = memory.store('r1', 'answer 1', 'conversation', 's1', 'assistant', {
      deferrable: true,
    });
    expect((await memory.history('s1', 10)).map((e) => e.key)).toEqual(['q1', 'r1']);
    expect(committedKeys()).toEqual(['q1']);
    const question = memory.store('q2', 'question 2', 'conversation', 's1', 'user');
    await Promise.all([reply, question]);
    expect(committedKeys()).toEqual(['q1', 'r1', 'q2']);
  });

  it.each([
    [1, ['q3']],
    [2, ['r2', 'q3']],
    [3, ['q2', 'r2', 'q3']],
    [10, ['q1', 'r1', 'q2', 'r2', 'q3']],
  ])('keeps the newest %i of committed and queued rows, oldest first', async (limit, keys) => {
    await memory.store('q1', 'x', 'conversation', 's1', 'user');
    await memory.store('r1', 'x', 'conversation', 's1', 'assistant');
    await memory.store('q2', 'x', 'conversation', 's1', 'user');
    const queued = [
      memory.store('r2', 'x', 'conversation', 's1', 'assistant'),
      memory.store('q3', 'x', 'conversation', 's1', 'user'),
    ];
    expect((await memory.history('s1', limit)).map((e) => e.key)).toEqual(keys);
    expect(committedKeys()).toEqual(['q1', 'r1', 'q2']);
    await Promise.all(queued);
  });

  it.each([
    ['a row of the same session', 's1'],
    ['a row in no session', null],
  ])('commits a queued overwrite of %s first: the row keeps its place', async (_name, session) => {
    await memory.store('k', 'before', 'conversation', session, 'user');
    await memory.store('a', 'after k', 'conversation', 's1', 'user');
    const overwrite = memory.store('k', 'rewritten', 'conversation', 's1', 'user');
    const history = await memory.history('s1', 10);
    expect(history.map((e) => [e.key, e.content])).toEqual([
      ['k', 'rewritten'],
      ['a', 'after k'],
    ]);
    expect(committedKeys()).toEqual(['k', 'a']);
    await overwrite;
  });

  it('commits a key queued twice before reading it: one row, the later content', async () => {
    await memory.store('a', 'committed', 'conversation', 's1', 'user');
    const stores = [
      memory.store('k', 'first', 'conversation', 's1', 'user'),
      memory.store('b', 'between', 'conversation', 's1', 'user'),
      memory.store('k', 'second', 'conversation', 's2', 'user'),
    ];
    expect((await memory.history('s1', 10)).map((e) => e.key)).toEqual(['a', 'b']);
    expect((await memory.history('s2', 10)).map((e) => [e.key, e.content])).toEqual([
      ['k', 'second'],
    ]);
    expect(committedKeys()).toEqual(['a', 'k', 'b']);
    await Promise.all(stores);
  });

  it('sees a queued overwrite that moves a key out of the session', async () => {
    await memory.store('k', 'was in s1', 'conversation', 's1', 'user');
    await memory.store('stay', 'stays in s1', 'conversation', 's1', 'user');
    const moved = memory.store('k', 'now in s2', 'conversation', 's2', 'user');
    expect((await memory.history('s1', 10)).map((e) => e.key)).toEqual(['stay']);
    expect((await memory.history('s2', 10)).map((e) => e.content)).toEqual(['now in s2']);
    await moved;
  });

  it('commits queued stores on close', async () => {
    const stored = memory.store('a', 'written at close', 'custom');
    await memory.close();
    await expect(stored).resolves.toBeUndefined();
    expect(committedKeys()).toEqual(['a']);
  });

  it('commits a held-back deferrable store on close, before its timer', async () => {
    const reply = memory.store('reply', 'answer', 'conversation', 's1', 'assistant', {
      deferrable: true,
    });
    await memory.close();
    expect(committedKeys()).toEqual(['reply']);
    await expect(reply).resolves.toBeUndefined();
  });

  it('rejects the stores of a failing batch only, and a read that flushed it still answers', async () => {
    await memory.store('before', 'committed earlier', 'custom');
    peek.exec(`CREATE TRIGGER poison BEFORE INSERT ON memories WHEN new.content = 'poison'
               BEGIN SELECT RAISE(ABORT, 'poisoned row'); END`);
    const failing = [
      memory.store('ok-in-batch', 'fine', 'custom'),
      memory.store('bad', 'poison', 'custom'),
    ];
    const settled = Promise.allSettled(failing);
    expect(await memory.count()).toBe(1);
    for (const outcome of await settled) {
      expect(outcome).toMatchObject({ status: 'rejected', reason: { message: 'poisoned row' } });
    }
    await expect(memory.store('after', 'fine again', 'custom')).resolves.toBeUndefined();
    expect((await memory.list()).map((e) => e.key)).toEqual(['before', 'after']);
  });

  it('rejects stores after close without queueing them', async () => {
    await memory.close();
    await expect(memory.store('late', 'x', 'custom')).rejects.toThrow('closed');
  });
});
