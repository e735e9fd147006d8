import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyMemoryRetention } from './retention.js';
import { createSqliteMemory, type SqliteMemory } from './sqlite-memory.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-06-01T00:00:00Z');

let dir: string;
let memory: SqliteMemory;
let clock = NOW;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-retention-'));
  memory = createSqliteMemory({ path: path.join(dir, 'memory.db'), clock: () => clock });
});
afterEach(async () => {
  await memory.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function say(session: string, n: number, daysAgo: number): Promise<void> {
  clock = NOW - daysAgo * DAY;
  await memory.store(`${session}-${n}`, `${session} ${n}`, 'conversation', session, 'user');
}

const contents = async () => (await memory.list({ limit: 1000 })).map((entry) => entry.content);

describe('applyMemoryRetention', () => {
  it('deletes conversation entries older than retention_days and keeps other categories', async () => {
    await say('s1', 1, 40);
    await say('s1', 2, 10);
    await say('s2', 1, 31);
    clock = NOW - 90 * DAY;
    await memory.store('fact', 'a core fact', 'core', null, null);
    const removed = await applyMemoryRetention(memory, {
      retentionDays: 30,
      maxMessagesPerConversation: 0,
      now: () => NOW,
    });
    expect(removed).toBe(2);
    expect(await contents()).toEqual(['s1 2', 'a core fact']);
  });

  it('keeps only the newest max_messages_per_conversation entries of each conversation', async () => {
    for (let n = 1; n <= 5; n += 1) await say('s1', n, 0);
    for (let n = 1; n <= 2; n += 1) await say('s2', n, 0);
    const removed = await applyMemoryRetention(memory, {
      retentionDays: 0,
      maxMessagesPerConversation: 3,
      batchSize: 1,
      now: () => NOW,
    });
    expect(removed).toBe(2);
    expect(await contents()).toEqual(['s1 3', 's1 4', 's1 5', 's2 1', 's2 2']);
  });

  it('does nothing with both rules off', async () => {
    await say('s1', 1, 400);
    const removed = await applyMemoryRetention(memory, {
      retentionDays: 0,
      maxMessagesPerConversation: 0,
    });
    expect(removed).toBe(0);
    expect(await contents()).toEqual(['s1 1']);
  });

  it('works in small batches and lets other work run between them', async () => {
    for (let n = 1; n <= 50; n += 1) await say('s1', n, 100);
    // Another task that needs the event loop: it gets turns only if retention yields.
    let between = 0;
    let ticking = true;
    const tick = (): void => {
      between += 1;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    let calls = 0;
    const counting = Object.assign(Object.create(memory) as SqliteMemory, {
      prune: async (options: Parameters<SqliteMemory['prune']>[0]) => {
        calls += 1;
        return memory.prune(options);
      },
    });
    const removed = await applyMemoryRetention(counting, {
      retentionDays: 1,
      maxMessagesPerConversation: 0,
      batchSize: 5,
      now: () => NOW,
    });
    ticking = false;
    expect(removed).toBe(50);
    expect(calls).toBe(11);
    expect(between).toBeGreaterThanOrEqual(10);
    expect(await contents()).toEqual([]);
  });
});
