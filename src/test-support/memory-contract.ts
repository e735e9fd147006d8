import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Memory } from '../memory/types.js';

/** What a contract run needs: a fresh, empty memory and what the backend promises. */
export interface MemoryHarness {
  memory: Memory;
  /** False for `none`: every read then returns nothing, whatever was stored. */
  persists: boolean;
  /** Removes files the harness created; the memory itself is closed by the suite. */
  cleanup?(): Promise<void>;
}

/** The Memory contract: sqlite, none and later postgres pass it. */
export function runMemoryContract(
  name: string,
  createHarness: () => MemoryHarness | Promise<MemoryHarness>,
): void {
  describe(`Memory contract: ${name}`, () => {
    let h: MemoryHarness;
    let memory: Memory;

    beforeEach(async () => {
      h = await createHarness();
      memory = h.memory;
    });

    afterEach(async () => {
      await memory.close();
      await h.cleanup?.();
    });

    /** Stores a short conversation in session `s1`, interleaved with another session. */
    async function seedConversation(): Promise<void> {
      await memory.store('m1', 'hello, my name is Ada', 'conversation', 's1', 'user');
      await memory.store('m2', 'hi Ada', 'conversation', 's1', 'assistant');
      await memory.store('x1', 'unrelated session', 'conversation', 's2', 'user');
      await memory.store('m3', 'what is my name?', 'conversation', 's1', 'user');
      await memory.store('m4', 'your name is Ada', 'conversation', 's1', 'assistant');
    }

    it('reads back a stored entry with all its fields', async () => {
      await memory.store('k', 'content', 'core', 'sess', 'user');
      const entry = await memory.get('k');
      if (!h.persists) {
        expect(entry).toBeUndefined();
        return;
      }
      expect(entry).toMatchObject({
        key: 'k',
        content: 'content',
        category: 'core',
        sessionId: 'sess',
        role: 'user',
      });
      expect(Number.isNaN(Date.parse(entry?.createdAt ?? ''))).toBe(false);
    });

    it('defaults session and role to null', async () => {
      await memory.store('k', 'content', 'daily');
      const entry = await memory.get('k');
      if (h.persists) expect(entry).toMatchObject({ sessionId: null, role: null });
      else expect(entry).toBeUndefined();
    });

    it('replaces the entry when a key is stored again', async () => {
      await memory.store('k', 'old', 'custom');
      await memory.store('k', 'new', 'custom');
      expect(await memory.count()).toBe(h.persists ? 1 : 0);
      expect((await memory.get('k'))?.content).toBe(h.persists ? 'new' : undefined);
    });

    it('returns the last N entries of a session, oldest first', async () => {
      await seedConversation();
      const last = await memory.history('s1', 3);
      expect(last.map((e) => e.key)).toEqual(h.persists ? ['m2', 'm3', 'm4'] : []);
      const all = await memory.history('s1', 100);
      expect(all.map((e) => e.key)).toEqual(h.persists ? ['m1', 'm2', 'm3', 'm4'] : []);
      expect(await memory.history('missing', 10)).toEqual([]);
      expect(await memory.history('s1', 0)).toEqual([]);
    });

    it('recalls entries by keyword, entries matching more terms first', async () => {
      await seedConversation();
      await memory.store('one-a', 'a blue sky', 'core');
      await memory.store('both', 'the blue door is open', 'core');
      await memory.store('one-b', 'a red door', 'core');
      const found = await memory.recall('Blue DOOR', 10);
      if (!h.persists) {
        expect(found).toEqual([]);
        return;
      }
      expect(found.map((e) => e.key).sort()).toEqual(['both', 'one-a', 'one-b']);
      expect(found[0]?.key).toBe('both');
      expect(await memory.recall('door blue', 2)).toHaveLength(2);
      expect((await memory.recall('name', 10)).map((e) => e.key).sort()).toEqual([
        'm1',
        'm3',
        'm4',
      ]);
    });

    it.each([
      ['FTS operators', 'Ada OR NEAR(x y) AND NOT * ^ content:'],
      ['unbalanced quotes', '"Ada'],
      ['LIKE wildcards', '%_%'],
      ['SQL', "'); DROP TABLE memories; --"],
      ['only punctuation', '*** ???'],
      ['empty', ''],
    ])('treats %s in a query as plain text, never as syntax', async (_name, query) => {
      await seedConversation();
      await memory.store('pct', 'discount 100% off_today', 'custom');
      await expect(memory.recall(query, 10)).resolves.toBeInstanceOf(Array);
      expect(await memory.count()).toBe(h.persists ? 6 : 0);
    });

    it('matches LIKE wildcard characters literally', async () => {
      await memory.store('underscore', 'call snake_case here', 'custom');
      await memory.store('other', 'call snakeXcase here', 'custom');
      const found = await memory.recall('snake_case', 10);
      expect(found.map((e) => e.key)).toEqual(h.persists ? ['underscore'] : []);
    });

    it('recalls non-ASCII words', async () => {
      await memory.store('ru', 'привет мир', 'custom');
      expect((await memory.recall('мир', 5)).map((e) => e.key)).toEqual(h.persists ? ['ru'] : []);
    });

    it('lists entries oldest first, filtered by category and session, up to a limit', async () => {
      await seedConversation();
      await memory.store('c1', 'a core fact', 'core');
      const expectKeys = async (
        options: Parameters<Memory['list']>[0],
        keys: string[],
      ): Promise<void> => {
        expect((await memory.list(options)).map((e) => e.key)).toEqual(h.persists ? keys : []);
      };
      await expectKeys(undefined, ['m1', 'm2', 'x1', 'm3', 'm4', 'c1']);
      await expectKeys({ category: 'core' }, ['c1']);
      await expectKeys({ sessionId: 's2' }, ['x1']);
      await expectKeys({ category: 'conversation', sessionId: 's1', limit: 2 }, ['m1', 'm2']);
    });

    it('forgets an entry and reports whether there was one', async () => {
      await memory.store('k', 'content', 'custom');
      expect(await memory.forget('k')).toBe(h.persists);
      expect(await memory.forget('k')).toBe(false);
      expect(await memory.get('k')).toBeUndefined();
      expect(await memory.recall('content', 5)).toEqual([]);
    });

    it('counts entries', async () => {
      await seedConversation();
      expect(await memory.count()).toBe(h.persists ? 5 : 0);
    });

    it('lets a read see every store called before it, settled or not', async () => {
      const stores = [
        memory.store('m1', 'hello', 'conversation', 's1', 'user'),
        memory.store('m2', 'hi', 'conversation', 's1', 'assistant'),
        memory.store('x1', 'elsewhere', 'conversation', 's2', 'user'),
      ];
      const expected = h.persists ? ['m1', 'm2'] : [];
      expect((await memory.history('s1', 10)).map((e) => e.key)).toEqual(expected);
      const more = memory.store('m3', 'again', 'conversation', 's1', 'user');
      expect((await memory.list({ sessionId: 's1' })).map((e) => e.key)).toEqual(
        h.persists ? ['m1', 'm2', 'm3'] : [],
      );
      const other = memory.store('k', 'fact', 'core');
      expect((await memory.get('k'))?.content).toBe(h.persists ? 'fact' : undefined);
      expect(await memory.count()).toBe(h.persists ? 5 : 0);
      await Promise.all([...stores, more, other]);
    });

    it("keeps a session's stores in the order they were called", async () => {
      const keys = Array.from({ length: 24 }, (_, index) => `t${String(index).padStart(2, '0')}`);
      await Promise.all(
        keys.map((key, index) =>
          memory.store(key, key, 'conversation', 's1', index % 2 === 0 ? 'user' : 'assistant'),
        ),
      );
      expect((await memory.history('s1', 100)).map((e) => e.key)).toEqual(h.persists ? keys : []);
    });

    it('closes idempotently', async () => {
      await memory.close();
      await expect(memory.close()).resolves.toBeUndefined();
    });
  });
}
