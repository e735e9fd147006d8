import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFERRED_FLUSH_MS, GroupCommit } from './group-commit.js';

/** A queue whose flushes run only when the test says so, recording every committed batch. */
function manualQueue(options: { fail?: (batch: readonly string[]) => boolean } = {}) {
  const batches: string[][] = [];
  let scheduled: (() => void) | undefined;
  let schedules = 0;
  const queue = new GroupCommit<string>({
    commit(batch) {
      if (options.fail?.(batch)) throw new Error(`cannot write ${batch.join(',')}`);
      batches.push([...batch]);
    },
    schedule(flush) {
      schedules += 1;
      scheduled = flush;
    },
  });
  const runScheduled = (): void => {
    const flush = scheduled;
    scheduled = undefined;
    flush?.();
  };
  return { queue, batches, runScheduled, schedules: () => schedules };
}

describe('GroupCommit', () => {
  it('commits every item queued before the scheduled flush in one batch, in order', async () => {
    const { queue, batches, runScheduled, schedules } = manualQueue();
    const done = Promise.all([queue.enqueue('a'), queue.enqueue('b'), queue.enqueue('c')]);
    expect(schedules()).toBe(1);
    expect(queue.pending).toEqual(['a', 'b', 'c']);
    runScheduled();
    await done;
    expect(batches).toEqual([['a', 'b', 'c']]);
    expect(queue.pending).toEqual([]);
  });

  it('settles a store only after its batch was committed', async () => {
    const { queue, batches, runScheduled } = manualQueue();
    let settled = false;
    const stored = queue.enqueue('a').then(() => {
      settled = true;
    });
    await Promise.resolve();
    expect(settled).toBe(false);
    runScheduled();
    await stored;
    expect(batches).toEqual([['a']]);
  });

  it('commits at once on flush(), leaving nothing for the scheduled flush', async () => {
    const { queue, batches, runScheduled } = manualQueue();
    const stored = queue.enqueue('a');
    queue.flush();
    await stored;
    runScheduled();
    expect(batches).toEqual([['a']]);
  });

  it('schedules a new flush for items queued after the previous one ran', async () => {
    const { queue, batches, runScheduled, schedules } = manualQueue();
    const first = queue.enqueue('a');
    runScheduled();
    const second = queue.enqueue('b');
    expect(schedules()).toBe(2);
    runScheduled();
    await Promise.all([first, second]);
    expect(batches).toEqual([['a'], ['b']]);
  });

  it('rejects exactly the stores of a failing batch; earlier and later batches commit', async () => {
    const { queue, batches, runScheduled } = manualQueue({
      fail: (batch) => batch.includes('bad'),
    });
    const before = queue.enqueue('a');
    runScheduled();
    const failing = [queue.enqueue('b'), queue.enqueue('bad')];
    runScheduled();
    const after = queue.enqueue('c');
    runScheduled();
    await expect(before).resolves.toBeUndefined();
    for (const store of failing) await expect(store).rejects.toThrow('cannot write b,bad');
    await expect(after).resolves.toBeUndefined();
    expect(batches).toEqual([['a'], ['c']]);
  });

  it('never throws from flush(): the failure goes to the batch, not to the caller', async () => {
    const { queue } = manualQueue({ fail: () => true });
    const stored = queue.enqueue('a');
    expect(() => queue.flush()).not.toThrow();
    await expect(stored).rejects.toThrow('cannot write a');
  });

  describe('deferrable items', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('schedule no flush of their own: they go with the next one', async () => {
      const { queue, batches, runScheduled, schedules } = manualQueue();
      const reply = queue.enqueue('reply', true);
      expect(schedules()).toBe(0);
      const next = queue.enqueue('next message');
      expect(schedules()).toBe(1);
      runScheduled();
      await Promise.all([reply, next]);
      expect(batches).toEqual([['reply', 'next message']]);
    });

    it(`are committed alone once ${DEFERRED_FLUSH_MS} ms have passed without a flush`, async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const { queue, batches } = manualQueue();
      const reply = queue.enqueue('reply', true);
      queue.enqueue('another reply', true).catch(() => undefined);
      vi.advanceTimersByTime(DEFERRED_FLUSH_MS - 1);
      expect(batches).toEqual([]);
      vi.advanceTimersByTime(1);
      await reply;
      expect(batches).toEqual([['reply', 'another reply']]);
    });

    it('lose their timer to any flush that commits them first', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const { queue, batches } = manualQueue();
      const reply = queue.enqueue('reply', true);
      expect(vi.getTimerCount()).toBe(1);
      queue.flush();
      await reply;
      expect(vi.getTimerCount()).toBe(0);
      expect(batches).toEqual([['reply']]);
    });

    it('wait for a flush already scheduled rather than a timer', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const { queue, batches, runScheduled } = manualQueue();
      const first = queue.enqueue('message');
      const reply = queue.enqueue('reply', true);
      expect(vi.getTimerCount()).toBe(0);
      runScheduled();
      await Promise.all([first, reply]);
      expect(batches).toEqual([['message', 'reply']]);
    });
  });

  it('flushes on setImmediate by default', async () => {
    const batches: number[][] = [];
    const queue = new GroupCommit<number>({ commit: (batch) => batches.push([...batch]) });
    await Promise.all([queue.enqueue(1), queue.enqueue(2)]);
    expect(batches).toEqual([[1, 2]]);
  });
});
