import Database from 'better-sqlite3';
import type { InboundMessage } from '../core/types.js';
import { openSqliteFile } from '../state/index.js';
import { CLAIMABLE_SQL, INBOX_SCHEMA_SQL } from './sqlite-schema.js';
import { readStoredMessage } from './stored-message.js';
import type { Inbox, InboxCounts, InboxItem, InboxStatus } from './types.js';

export interface SqliteInboxOptions {
  /** Database file, created when missing (`:memory:` for a throwaway inbox). */
  path: string;
}

interface ItemRow {
  id: number;
  message: string;
  status: InboxStatus;
  attempts: number;
  not_before: number;
  reply: string | null;
  last_error: string | null;
}

/** Opens (creating when needed) the embedded SQLite inbox. */
export function openSqliteInbox(options: SqliteInboxOptions): Inbox {
  return new SqliteInbox(options.path);
}

/** The embedded Inbox: one SQLite file in WAL mode; every write is one transaction. */
class SqliteInbox implements Inbox {
  readonly #db: Database.Database;
  readonly #listeners = new Set<() => void>();
  readonly #statements;
  #closed = false;

  constructor(path: string) {
    // Owner-only file (0600) like the other stores: it holds message text and replies.
    // openSqliteFile already sets WAL and busy_timeout; an in-memory database supports neither
    // WAL nor a second connection, so it needs no more than `synchronous`.
    this.#db = path === ':memory:' ? new Database(path) : openSqliteFile(path);
    // FULL: the webhook answers 200 only after enqueue returns, so the commit must reach the
    // disk before that; NORMAL in WAL mode could lose the last commits on power failure.
    this.#db.pragma('synchronous = FULL');
    this.#db.exec(INBOX_SCHEMA_SQL);
    const db = this.#db;
    this.#statements = {
      insert: db.prepare(
        `INSERT OR IGNORE INTO inbox_items
           (channel, message_id, conversation_id, message, status, attempts, not_before, created_at, updated_at)
         VALUES (@channel, @messageId, @conversationId, @message, 'pending', 0, @now, @now, @now)`,
      ),
      claimable: db.prepare<{ now: number; limit: number }, { id: number }>(CLAIMABLE_SQL),
      markProcessing: db.prepare(
        `UPDATE inbox_items SET status = 'processing', attempts = attempts + 1, updated_at = ?
         WHERE id = ? AND status = 'pending'`,
      ),
      select: db.prepare<[number], ItemRow>(
        `SELECT id, message, status, attempts, not_before, reply, last_error FROM inbox_items WHERE id = ?`,
      ),
      saveReply: db.prepare(`UPDATE inbox_items SET reply = ?, updated_at = ? WHERE id = ?`),
      setStatus: db.prepare(
        `UPDATE inbox_items SET status = ?, last_error = COALESCE(?, last_error), updated_at = ?
         WHERE id = ?`,
      ),
      retry: db.prepare(
        `UPDATE inbox_items SET status = 'pending', not_before = ?, last_error = ?, updated_at = ?
         WHERE id = ?`,
      ),
      recover: db.prepare(
        `UPDATE inbox_items SET status = 'pending', updated_at = ? WHERE status = 'processing'`,
      ),
      counts: db.prepare<[], { status: InboxStatus; n: number }>(
        `SELECT status, COUNT(*) AS n FROM inbox_items GROUP BY status`,
      ),
      sweep: db.prepare(
        `DELETE FROM inbox_items WHERE status IN ('done', 'failed') AND updated_at < ?`,
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

  async enqueue(messages: InboundMessage[]): Promise<{ accepted: number; duplicates: number }> {
    const now = Date.now();
    const insertAll = this.#db.transaction((batch: InboundMessage[]) => {
      let accepted = 0;
      for (const message of batch) {
        const result = this.#statements.insert.run({
          channel: message.channel,
          messageId: message.messageId,
          conversationId: message.conversationId,
          message: JSON.stringify(message),
          now,
        });
        accepted += result.changes;
      }
      return accepted;
    });
    const accepted = insertAll(messages);
    if (accepted > 0) this.#notify();
    return { accepted, duplicates: messages.length - accepted };
  }

  async claim(limit: number, now: number): Promise<InboxItem[]> {
    if (limit <= 0) return [];
    const claimAll = this.#db.transaction(() => {
      const ids = this.#statements.claimable.all({ now, limit }).map((row) => row.id);
      const items: InboxItem[] = [];
      for (const id of ids) {
        this.#statements.markProcessing.run(now, id);
        const row = this.#statements.select.get(id);
        if (row) items.push(toItem(row));
      }
      return items;
    });
    return claimAll.immediate();
  }

  async saveReply(id: number, reply: string): Promise<void> {
    this.#statements.saveReply.run(reply, Date.now(), id);
  }

  async complete(id: number): Promise<void> {
    this.#statements.setStatus.run('done', null, Date.now(), id);
  }

  async retry(id: number, notBefore: number, error: string): Promise<void> {
    this.#statements.retry.run(notBefore, error, Date.now(), id);
  }

  async fail(id: number, error: string): Promise<void> {
    this.#statements.setStatus.run('failed', error, Date.now(), id);
  }

  async recover(): Promise<number> {
    return this.#statements.recover.run(Date.now()).changes;
  }

  async counts(): Promise<InboxCounts> {
    const counts: InboxCounts = { pending: 0, processing: 0, done: 0, failed: 0 };
    for (const row of this.#statements.counts.all()) counts[row.status] = row.n;
    return counts;
  }

  async sweep(olderThan: number): Promise<number> {
    return this.#statements.sweep.run(olderThan).changes;
  }

  onEnqueued(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async getCursor(name: string): Promise<string | undefined> {
    return this.#statements.getCursor.get(name)?.value;
  }

  async setCursor(name: string, value: string): Promise<void> {
    this.#statements.setCursor.run(name, value);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#listeners.clear();
    this.#db.close();
  }

  #notify(): void {
    for (const listener of this.#listeners) {
      // A listener must not turn a durable enqueue into a failed webhook.
      try {
        listener();
      } catch {
        // Listeners are wake-up hints; the worker's idle poll covers a lost one.
      }
    }
  }
}

function toItem(row: ItemRow): InboxItem {
  const item: InboxItem = {
    id: row.id,
    message: readStoredMessage(row.message),
    status: row.status,
    attempts: row.attempts,
    notBefore: row.not_before,
  };
  if (row.reply !== null) item.reply = row.reply;
  if (row.last_error !== null) item.lastError = row.last_error;
  return item;
}
