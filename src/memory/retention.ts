import type { Memory } from './types.js';

/** `[memory]` retention settings; 0 switches a rule off. */
export interface MemoryRetentionOptions {
  retentionDays: number;
  maxMessagesPerConversation: number;
  /** Rows deleted per batch; the event loop is yielded between batches. */
  batchSize?: number;
  now?: () => number;
}

const DAY_MS = 86_400_000;

/**
 * Applies the retention rules to `memory` (a scheduler job): batch after batch until nothing is
 * left to delete, yielding to the event loop between batches so requests keep flowing. Returns
 * how many entries were deleted. A backend without `prune` keeps everything.
 */
export async function applyMemoryRetention(
  memory: Memory,
  options: MemoryRetentionOptions,
): Promise<number> {
  if (memory.prune === undefined) return 0;
  const batchSize = options.batchSize ?? 500;
  const now = (options.now ?? Date.now)();
  const rules = {
    ...(options.retentionDays > 0
      ? { olderThan: new Date(now - options.retentionDays * DAY_MS).toISOString() }
      : {}),
    ...(options.maxMessagesPerConversation > 0
      ? { maxPerSession: options.maxMessagesPerConversation }
      : {}),
  };
  if (Object.keys(rules).length === 0) return 0;
  let total = 0;
  for (;;) {
    const deleted = await memory.prune({ ...rules, batchSize });
    total += deleted;
    if (deleted < batchSize) return total;
    await new Promise((resolve) => setImmediate(resolve));
  }
}
