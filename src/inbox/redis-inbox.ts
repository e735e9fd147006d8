import { randomBytes } from 'node:crypto';
import type { InboundMessage } from '../core/types.js';
import { GatewayError } from '../errors.js';
import { LuaScript, type RedisClient } from '../state/redis-client.js';
import {
  CLAIM_SCRIPT,
  COUNTS_SCRIPT,
  DROP_SCRIPT,
  ENQUEUE_SCRIPT,
  EXTEND_SCRIPT,
  LIST_SCRIPT,
  MARK_PART_SCRIPT,
  PURGE_SCRIPT,
  REQUEUE_SCRIPT,
  SAVE_REPLY_SCRIPT,
  SETTLE_SCRIPT,
} from './redis-inbox-scripts.js';
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
  InboxStatus,
  PartState,
} from './types.js';

/** Options of the Redis inbox. */
export interface RedisInboxOptions {
  /** A connected (or connecting) client, usually the state store's. */
  client: RedisClient;
  /** The deployment's `[state] key_prefix`; the inbox writes under `<key_prefix>inbox:`. */
  keyPrefix: string;
  /** Whether `close()` also closes the client (false when the caller shares it). */
  ownsClient?: boolean;
}

/** Opens the inbox shared by every instance with the same Redis and key prefix. */
export function openRedisInbox(options: RedisInboxOptions): Inbox {
  return new RedisInbox(options);
}

const DEFAULT_LIST_LIMIT = 50;
const PURGE_BATCH = 500;

const scripts = {
  enqueue: new LuaScript(ENQUEUE_SCRIPT),
  claim: new LuaScript(CLAIM_SCRIPT),
  extend: new LuaScript(EXTEND_SCRIPT),
  saveReply: new LuaScript(SAVE_REPLY_SCRIPT),
  markPart: new LuaScript(MARK_PART_SCRIPT),
  settle: new LuaScript(SETTLE_SCRIPT),
  requeue: new LuaScript(REQUEUE_SCRIPT),
  drop: new LuaScript(DROP_SCRIPT),
  purge: new LuaScript(PURGE_SCRIPT),
  counts: new LuaScript(COUNTS_SCRIPT),
  list: new LuaScript(LIST_SCRIPT),
};

/**
 * The scale-out Inbox: one queue in Redis shared by every instance. Each write is one Lua script
 * (see redis-inbox-scripts.ts), so claims, lease checks and conversation order hold across
 * instances. Lease times are the callers' clocks: keep the instances' clocks in sync (NTP).
 * While Redis is unreachable every call rejects with STATE_UNAVAILABLE, so a webhook whose
 * message cannot be stored is answered 503 and the platform retries.
 */
class RedisInbox implements Inbox {
  readonly #client: RedisClient;
  readonly #prefix: string;
  readonly #ownsClient: boolean;
  readonly #listeners = new Set<() => void>();
  #closed = false;

  constructor(options: RedisInboxOptions) {
    this.#client = options.client;
    this.#prefix = `${options.keyPrefix}inbox:`;
    this.#ownsClient = options.ownsClient ?? true;
  }

  async enqueue(messages: InboundMessage[]): Promise<{ accepted: number; duplicates: number }> {
    if (messages.length === 0) return { accepted: 0, duplicates: 0 };
    const args = messages.flatMap((m) => [
      m.channel,
      m.messageId,
      m.conversationId,
      JSON.stringify(m),
    ]);
    const accepted = Number(await this.#run(scripts.enqueue, [String(Date.now()), ...args]));
    if (accepted > 0) this.#notify();
    return { accepted, duplicates: messages.length - accepted };
  }

  async claim(limit: number, leaseMs: number, now = Date.now()): Promise<ClaimedItem[]> {
    if (limit <= 0) return [];
    const base = randomBytes(12).toString('hex');
    const args = [String(now), String(leaseMs), String(limit), base];
    const rows = (await this.#run(scripts.claim, args)) as unknown[];
    return rows.map((row) => {
      const fields = toFields(row);
      return {
        ...toItem(fields),
        claimToken: fields.tok ?? '',
        leaseUntil: Number(fields.lease),
      };
    });
  }

  async extendLease(item: ClaimedItem, leaseMs: number, now = Date.now()): Promise<boolean> {
    const until = now + leaseMs;
    const changed = await this.#owned(scripts.extend, item, [String(until)]);
    if (changed) item.leaseUntil = until;
    return changed;
  }

  async saveReply(item: ClaimedItem, parts: string[]): Promise<boolean> {
    const stored = parts.map((text) => ({ text, state: 'pending' as PartState }));
    const args = [JSON.stringify(stored), String(Date.now())];
    const changed = await this.#owned(scripts.saveReply, item, args);
    if (changed) item.parts = stored;
    return changed;
  }

  async markPart(item: ClaimedItem, index: number, state: PartState): Promise<boolean> {
    const args = [String(item.id), item.claimToken, String(index), state, String(Date.now())];
    const json = await this.#run(scripts.markPart, args);
    if (typeof json !== 'string') return false;
    item.parts = readStoredParts(json);
    return true;
  }

  complete(item: ClaimedItem): Promise<boolean> {
    return this.#settle(item, 'done', 0, '', '');
  }

  retry(item: ClaimedItem, notBefore: number, error: string): Promise<boolean> {
    return this.#settle(item, 'pending', notBefore, '', error);
  }

  bury(item: ClaimedItem, reason: DeadReason, error: string): Promise<boolean> {
    return this.#settle(item, 'dead', 0, reason, error);
  }

  async counts(): Promise<InboxCounts> {
    const reply = (await this.#run(scripts.counts, [])) as unknown[];
    const [pending, processing, done, dead, unknown] = reply.map(Number);
    return {
      pending: pending ?? 0,
      processing: processing ?? 0,
      done: done ?? 0,
      dead: dead ?? 0,
      unknown: unknown ?? 0,
    };
  }

  async list(filter: InboxListFilter = {}): Promise<InboxListEntry[]> {
    const limit = filter.limit ?? DEFAULT_LIST_LIMIT;
    if (limit <= 0) return [];
    const args = [filter.status ?? '', filter.channel ?? '', String(limit)];
    const rows = (await this.#run(scripts.list, args)) as unknown[];
    return rows.map((row) => toListEntry(toFields(row)));
  }

  async requeue(id: number, now = Date.now()): Promise<boolean> {
    const changed = (await this.#run(scripts.requeue, [String(id), String(now)])) === 1;
    if (changed) this.#notify();
    return changed;
  }

  async drop(id: number): Promise<boolean> {
    return (await this.#run(scripts.drop, [String(id)])) === 1;
  }

  async purge(status: 'done' | 'dead', olderThan?: number): Promise<number> {
    const bound = olderThan === undefined ? '+inf' : String(olderThan);
    let total = 0;
    for (;;) {
      const removed = Number(await this.#run(scripts.purge, [status, bound, String(PURGE_BATCH)]));
      total += removed;
      if (removed < PURGE_BATCH) return total;
    }
  }

  async sweep(olderThan: number): Promise<number> {
    return (await this.purge('done', olderThan)) + (await this.purge('dead', olderThan));
  }

  onEnqueued(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async getCursor(name: string): Promise<string | undefined> {
    const value = await this.#guard(() => this.#client.hGet(`${this.#prefix}cursor`, name));
    return value ?? undefined;
  }

  async setCursor(name: string, value: string): Promise<void> {
    await this.#guard(() => this.#client.hSet(`${this.#prefix}cursor`, name, value));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#listeners.clear();
    if (this.#ownsClient && this.#client.isOpen) await this.#client.close();
  }

  async #settle(
    item: ClaimedItem,
    outcome: 'done' | 'pending' | 'dead',
    notBefore: number,
    reason: string,
    error: string,
  ): Promise<boolean> {
    const args = [String(Date.now()), outcome, String(notBefore), reason, error];
    return this.#owned(scripts.settle, item, args);
  }

  async #owned(script: LuaScript, item: ClaimedItem, rest: string[]): Promise<boolean> {
    return (await this.#run(script, [String(item.id), item.claimToken, ...rest])) === 1;
  }

  #run(script: LuaScript, args: string[]): Promise<unknown> {
    return this.#guard(() => script.run(this.#client, [], [this.#prefix, ...args]));
  }

  async #guard<T>(call: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new Error('Inbox is closed');
    try {
      return await call();
    } catch (error) {
      // Connection refused, offline client, command timeout: nothing was stored (or it is
      // unknown), so the caller must not acknowledge.
      throw new GatewayError('STATE_UNAVAILABLE', { cause: error });
    }
  }

  #notify(): void {
    for (const listener of this.#listeners) {
      try {
        listener();
      } catch {
        // Listeners are wake-up hints; the worker's idle poll covers a lost one.
      }
    }
  }
}

type Fields = Record<string, string | undefined>;

/** An HGETALL reply of a script (a flat [field, value, …] list) as a record. */
function toFields(row: unknown): Fields {
  const fields: Fields = {};
  if (!Array.isArray(row)) return fields;
  for (let i = 0; i + 1 < row.length; i += 2) fields[String(row[i])] = String(row[i + 1]);
  return fields;
}

function toItem(fields: Fields): InboxItem {
  const item: InboxItem = {
    id: Number(fields.id),
    message: readStoredMessage(fields.msg ?? ''),
    status: fields.st as InboxStatus,
    attempts: Number(fields.att),
    notBefore: Number(fields.nb),
    enqueuedAt: Number(fields.enq),
  };
  if (fields.parts !== undefined) item.parts = readStoredParts(fields.parts);
  if (fields.err !== undefined) item.lastError = fields.err;
  if (fields.reason !== undefined) item.deadReason = fields.reason as DeadReason;
  return item;
}

function toListEntry(fields: Fields): InboxListEntry {
  const item = toItem(fields);
  return {
    id: item.id,
    channel: item.message.channel,
    senderId: item.message.senderId,
    status: item.status,
    attempts: item.attempts,
    receivedAt: Number(fields.cat),
    updatedAt: Number(fields.uat),
    reason: item.deadReason ?? null,
    lastError: item.lastError ?? null,
    unknownParts: (item.parts ?? []).filter((part) => part.state === 'unknown').length,
    text: item.message.text,
  };
}
