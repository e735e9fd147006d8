import type Database from 'better-sqlite3';
import type { PruneOptions } from './types.js';

/*
 * Retention for the SQLite memory, one small batch per call so the event loop (and every request
 * waiting on it) is never held for long: the caller loops, yielding between batches. Only
 * conversation entries are pruned; core, daily and custom memories are kept on purpose.
 */

/** Prepares the retention statements once. */
export function prepareMemoryPrune(db: Database.Database) {
  const byAge = db.prepare<[string, number]>(
    `DELETE FROM memories WHERE id IN (
       SELECT id FROM memories WHERE category = 'conversation' AND created_at < ? ORDER BY id LIMIT ?)`,
  );
  const overCap = db.prepare<[number], { session_id: string; n: number }>(
    `SELECT session_id, COUNT(*) AS n FROM memories
     WHERE category = 'conversation' AND session_id IS NOT NULL
     GROUP BY session_id HAVING COUNT(*) > ? LIMIT 100`,
  );
  const oldestOfSession = db.prepare<[string, number]>(
    `DELETE FROM memories WHERE id IN (
       SELECT id FROM memories WHERE session_id = ? AND category = 'conversation'
       ORDER BY id LIMIT ?)`,
  );
  /** Deletes at most `batchSize` rows that break the rules; how many it deleted. */
  return function pruneBatch(options: PruneOptions): number {
    let budget = options.batchSize;
    if (options.olderThan !== undefined) {
      budget -= byAge.run(options.olderThan, budget).changes;
    }
    const cap = options.maxPerSession;
    if (cap !== undefined && cap > 0 && budget > 0) {
      for (const { session_id: session, n } of overCap.all(cap)) {
        if (budget <= 0) break;
        budget -= oldestOfSession.run(session, Math.min(n - cap, budget)).changes;
      }
    }
    return options.batchSize - budget;
  };
}
