import type Database from 'better-sqlite3';
import { CLAIMABLE_SQL, UNKNOWN_PARTS_SQL } from './sqlite-schema.js';
import type { InboxStatus } from './types.js';

/** A row of inbox_entries as read back. */
export interface EntryRow {
  id: number;
  channel: string;
  message: string;
  status: InboxStatus;
  attempts: number;
  not_before: number;
  enqueued_at: number;
  claim_token: string | null;
  lease_until: number;
  parts: string | null;
  last_error: string | null;
  dead_reason: string | null;
  created_at: number;
  updated_at: number;
}

/** A claim's identity in a write: only the current claim may change a processing item. */
const OWNED = `id = @id AND claim_token = @token AND status = 'processing'`;

/** Every statement the SQLite inbox runs, prepared once. */
export function prepareInboxStatements(db: Database.Database) {
  return {
    insert: db.prepare(
      `INSERT OR IGNORE INTO inbox_entries
         (channel, message_id, conversation_id, message, status, attempts, not_before,
          enqueued_at, created_at, updated_at)
       VALUES (@channel, @messageId, @conversationId, @message, 'pending', 0, @now, @now, @now, @now)`,
    ),
    claimable: db.prepare<{ now: number; limit: number }, { id: number }>(CLAIMABLE_SQL),
    takeClaim: db.prepare(
      `UPDATE inbox_entries SET status = 'processing', attempts = attempts + 1,
         claim_token = @token, lease_until = @until, updated_at = @now
       WHERE id = @id AND (status = 'pending' OR (status = 'processing' AND lease_until <= @now))`,
    ),
    select: db.prepare<[number], EntryRow>(`SELECT * FROM inbox_entries WHERE id = ?`),
    extend: db.prepare(`UPDATE inbox_entries SET lease_until = @until WHERE ${OWNED}`),
    setParts: db.prepare(
      `UPDATE inbox_entries SET parts = @parts, updated_at = @now WHERE ${OWNED}`,
    ),
    readParts: db.prepare<{ id: number; token: string }, { parts: string | null }>(
      `SELECT parts FROM inbox_entries WHERE ${OWNED}`,
    ),
    complete: db.prepare(
      `UPDATE inbox_entries SET status = 'done', claim_token = NULL, updated_at = @now
       WHERE ${OWNED}`,
    ),
    retry: db.prepare(
      `UPDATE inbox_entries SET status = 'pending', claim_token = NULL, not_before = @notBefore,
         last_error = @error, updated_at = @now
       WHERE ${OWNED}`,
    ),
    bury: db.prepare(
      `UPDATE inbox_entries SET status = 'dead', claim_token = NULL, dead_reason = @reason,
         last_error = @error, updated_at = @now
       WHERE ${OWNED}`,
    ),
    counts: db.prepare<[], { status: InboxStatus; n: number }>(
      `SELECT status, COUNT(*) AS n FROM inbox_entries GROUP BY status`,
    ),
    unknownParts: db.prepare<[], { n: number }>(UNKNOWN_PARTS_SQL),
    list: db.prepare<{ status: string | null; channel: string | null; limit: number }, EntryRow>(
      `SELECT * FROM inbox_entries
       WHERE (@status IS NULL OR status = @status) AND (@channel IS NULL OR channel = @channel)
       ORDER BY id DESC LIMIT @limit`,
    ),
    requeue: db.prepare(
      `UPDATE inbox_entries SET status = 'pending', attempts = 0, not_before = @now,
         enqueued_at = @now, dead_reason = NULL, updated_at = @now
       WHERE id = @id AND status = 'dead'`,
    ),
    drop: db.prepare(`DELETE FROM inbox_entries WHERE id = ? AND status <> 'processing'`),
    purge: db.prepare(
      `DELETE FROM inbox_entries WHERE status = @status AND (@olderThan IS NULL OR updated_at < @olderThan)`,
    ),
    sweep: db.prepare(
      `DELETE FROM inbox_entries WHERE status IN ('done', 'dead') AND updated_at < ?`,
    ),
    getCursor: db.prepare<[string], { value: string }>(
      `SELECT value FROM inbox_cursors WHERE name = ?`,
    ),
    setCursor: db.prepare(
      `INSERT INTO inbox_cursors (name, value) VALUES (?, ?)
       ON CONFLICT (name) DO UPDATE SET value = excluded.value`,
    ),
  };
}
