import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import type { InboundMessage } from '../core/types.js';
import { openSqliteFile } from '../state/index.js';
import { HAS_V1_TABLE_SQL, INBOX_SCHEMA_SQL, MIGRATE_V1_SQL } from './sqlite-schema.js';
import { prepareInboxStatements, type EntryRow } from './sqlite-statements.js';
import { readStoredMessage } from './stored-message.js';
import { readStoredParts } from './stored-parts.js';
import type {
  ClaimedItem,
  DeadReason,
  Inbox,
  InboxCounts,
  InboxItem,
  InboxListEntry,
  InboxListFilter,
  PartState,
} from './types.js';

export interface SqliteInboxOptions {
  /** Database file, created when missing (`:memory:` for a throwaway inbox). */
  path: string;
}

/** Opens (creating when needed) the embedded SQLite inbox. */
export function openSqliteInbox(options: SqliteInboxOptions): Inbox {
  return new SqliteInbox(options.path);
}

const DEFAULT_LIST_LIMIT = 50;

/**
 * The embedded Inbox: one SQLite file in WAL mode; every write is one transaction. Several
 * processes may open the same file (the CLI while the gateway runs): claims are taken inside an
 * IMMEDIATE transaction, so two claimers never take the same item.
 */
class SqliteInbox implements Inbox {
  readonly #db: Database.Database;
  readonly #listeners = new Set<() => void>();
  readonly #sql;
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
    this.#db
      .transaction(() => {
        if (this.#db.prepare(HAS_V1_TABLE_SQL).get() !== undefined) this.#db.exec(MIGRATE_V1_SQL);
      })
      .immediate();
    this.#sql = prepareInboxStatements(this.#db);
  }

  async enqueue(messages: InboundMessage[]): Promise<{ accepted: number; duplicates: number }> {
    const now = Date.now();
    const insertAll = this.#db.transaction((batch: InboundMessage[]) => {
      let accepted = 0;
      for (const message of batch) {
        accepted += this.#sql.insert.run({
          channel: message.channel,
          messageId: message.messageId,
          conversationId: message.conversationId,
          message: JSON.stringify(message),
          now,
        }).changes;
      }
      return accepted;
    });
    const accepted = insertAll(messages);
    if (accepted > 0) this.#notify();
    return { accepted, duplicates: messages.length - accepted };
  }

  async claim(limit: number, leaseMs: number, now = Date.now()): Promise<ClaimedItem[]> {
    if (limit <= 0) return [];
    const claimAll = this.#db.transaction(() => {
      const items: ClaimedItem[] = [];
      for (const { id } of this.#sql.claimable.all({ now, limit })) {
        const token = randomBytes(12).toString('hex');
        const until = now + leaseMs;
        if (this.#sql.takeClaim.run({ id, token, until, now }).changes === 0) continue;
        const row = this.#sql.select.get(id);
        if (row) items.push({ ...toItem(row), claimToken: token, leaseUntil: until });
      }
      return items;
    });
    return claimAll.immediate();
  }

  async extendLease(item: ClaimedItem, leaseMs: number, now = Date.now()): Promise<boolean> {
    const until = now + leaseMs;
    const changed = this.#sql.extend.run({ ...owned(item), until }).changes > 0;
    if (changed) item.leaseUntil = until;
    return changed;
  }

  async saveReply(item: ClaimedItem, parts: string[]): Promise<boolean> {
    const stored = parts.map((text) => ({ text, state: 'pending' as PartState }));
    const json = JSON.stringify(stored);
    const changed = this.#sql.setParts.run({ ...owned(item), parts: json, now: Date.now() });
    if (changed.changes > 0) item.parts = stored;
    return changed.changes > 0;
  }

  async markPart(item: ClaimedItem, index: number, state: PartState): Promise<boolean> {
    const update = this.#db.transaction(() => {
      const row = this.#sql.readParts.get(owned(item));
      if (row?.parts == null) return false;
      const parts = readStoredParts(row.parts);
      const part = parts[index];
      if (part === undefined) return false;
      part.state = state;
      this.#sql.setParts.run({ ...owned(item), parts: JSON.stringify(parts), now: Date.now() });
      item.parts = parts;
      return true;
    });
    return update.immediate();
  }

  async complete(item: ClaimedItem): Promise<boolean> {
    return this.#sql.complete.run({ ...owned(item), now: Date.now() }).changes > 0;
  }

  async retry(item: ClaimedItem, notBefore: number, error: string): Promise<boolean> {
    const params = { ...owned(item), notBefore, error, now: Date.now() };
    return this.#sql.retry.run(params).changes > 0;
  }

  async bury(item: ClaimedItem, reason: DeadReason, error: string): Promise<boolean> {
    const params = { ...owned(item), reason, error, now: Date.now() };
    return this.#sql.bury.run(params).changes > 0;
  }

  async counts(): Promise<InboxCounts> {
    const counts: InboxCounts = { pending: 0, processing: 0, done: 0, dead: 0, unknown: 0 };
    for (const row of this.#sql.counts.all()) counts[row.status] = row.n;
    counts.unknown = this.#sql.unknownParts.get()?.n ?? 0;
    return counts;
  }

  async list(filter: InboxListFilter = {}): Promise<InboxListEntry[]> {
    const rows = this.#sql.list.all({
      status: filter.status ?? null,
      channel: filter.channel ?? null,
      limit: filter.limit ?? DEFAULT_LIST_LIMIT,
    });
    return rows.map(toListEntry);
  }

  async requeue(id: number, now = Date.now()): Promise<boolean> {
    const changed = this.#sql.requeue.run({ id, now }).changes > 0;
    if (changed) this.#notify();
    return changed;
  }

  async drop(id: number): Promise<boolean> {
    return this.#sql.drop.run(id).changes > 0;
  }

  async purge(status: 'done' | 'dead', olderThan?: number): Promise<number> {
    return this.#sql.purge.run({ status, olderThan: olderThan ?? null }).changes;
  }

  async sweep(olderThan: number): Promise<number> {
    return this.#sql.sweep.run(olderThan).changes;
  }

  onEnqueued(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async getCursor(name: string): Promise<string | undefined> {
    return this.#sql.getCursor.get(name)?.value;
  }

  async setCursor(name: string, value: string): Promise<void> {
    this.#sql.setCursor.run(name, value);
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

function owned(item: ClaimedItem): { id: number; token: string } {
  return { id: item.id, token: item.claimToken };
}

function toItem(row: EntryRow): InboxItem {
  const item: InboxItem = {
    id: row.id,
    message: readStoredMessage(row.message),
    status: row.status,
    attempts: row.attempts,
    notBefore: row.not_before,
    enqueuedAt: row.enqueued_at,
  };
  if (row.parts !== null) item.parts = readStoredParts(row.parts);
  if (row.last_error !== null) item.lastError = row.last_error;
  if (row.dead_reason !== null) item.deadReason = row.dead_reason as DeadReason;
  return item;
}

function toListEntry(row: EntryRow): InboxListEntry {
  const message = readStoredMessage(row.message);
  const parts = row.parts === null ? [] : readStoredParts(row.parts);
  return {
    id: row.id,
    channel: message.channel,
    senderId: message.senderId,
    status: row.status,
    attempts: row.attempts,
    receivedAt: row.created_at,
    updatedAt: row.updated_at,
    reason: row.dead_reason as DeadReason | null,
    lastError: row.last_error,
    unknownParts: parts.filter((part) => part.state === 'unknown').length,
    text: message.text,
  };
}
