import type { ChannelName, InboundMessage } from '../core/types.js';

/** Life of an inbox entry: dead letters are kept (for `inbox retry`) until retention removes them. */
export type InboxStatus = 'pending' | 'processing' | 'done' | 'dead';

/** Why an item became a dead letter. */
export type DeadReason = 'expired' | 'exhausted' | 'permanent';

/**
 * Where one part of a reply stands. `sending` is written before the platform call and
 * `delivered` after its answer: a part found `sending` by a later claim has an unknown outcome
 * (the process died between the two). `unknown` records a part skipped for that reason.
 */
export type PartState = 'pending' | 'sending' | 'delivered' | 'unknown';

/** One platform message of a (possibly split) reply. */
export interface ReplyPart {
  text: string;
  state: PartState;
}

/** One accepted channel message waiting for (or in) processing. */
export interface InboxItem {
  id: number;
  message: InboundMessage;
  status: InboxStatus;
  attempts: number;
  /** Epoch ms before which it must not be retried. */
  notBefore: number;
  /** Epoch ms its age counts from: acceptance, or the last `requeue`. */
  enqueuedAt: number;
  /** The reply once produced, split for the platform, so a redelivery never asks the agent again. */
  parts?: ReplyPart[];
  lastError?: string;
  deadReason?: DeadReason;
}

/**
 * A claimed item: the token proves the claim. Once its lease expired and someone else claimed the
 * item, writes with the old token are refused (they return false), so a stalled owner that wakes
 * up cannot undo the new owner's work.
 */
export interface ClaimedItem extends InboxItem {
  claimToken: string;
  /** Epoch ms the lease ends unless extended. */
  leaseUntil: number;
}

/** Counts per status plus parts left with an unknown outcome, for `gatehouse inbox` and /health. */
export type InboxCounts = Record<InboxStatus, number> & { unknown: number };

/** A row of `gatehouse inbox list`: never the message text unless asked. */
export interface InboxListEntry {
  id: number;
  channel: ChannelName;
  senderId: string;
  status: InboxStatus;
  attempts: number;
  /** Epoch ms the message was accepted. */
  receivedAt: number;
  /** Epoch ms of the last change. */
  updatedAt: number;
  reason: DeadReason | null;
  lastError: string | null;
  /** Parts with an unknown outcome. */
  unknownParts: number;
  text: string;
}

/** Filter for `list`. */
export interface InboxListFilter {
  status?: InboxStatus;
  channel?: ChannelName;
  limit?: number;
}

/** The Inbox port: a durable queue of accepted channel messages, claimed under a lease. */
export interface Inbox {
  /** Durably store messages; a (channel, messageId) seen before is a duplicate and is dropped. */
  enqueue(messages: InboundMessage[]): Promise<{ accepted: number; duplicates: number }>;
  /**
   * Claims up to `limit` items for `leaseMs`: due pending items, and processing items whose lease
   * expired (their owner died). At most one per conversation, oldest first, none whose
   * conversation has an older unfinished item or a live claim. Each claim counts as an attempt.
   */
  claim(limit: number, leaseMs: number, now?: number): Promise<ClaimedItem[]>;
  /** Extends a live claim; false when the lease was lost (expired and claimed by someone else). */
  extendLease(item: ClaimedItem, leaseMs: number, now?: number): Promise<boolean>;
  /** Stores the reply split into parts (all `pending`); false when the claim was lost. */
  saveReply(item: ClaimedItem, parts: string[]): Promise<boolean>;
  /** Records the state of part `index`; false when the claim was lost. */
  markPart(item: ClaimedItem, index: number, state: PartState): Promise<boolean>;
  complete(item: ClaimedItem): Promise<boolean>;
  /** Puts the item back for another attempt at `notBefore`. */
  retry(item: ClaimedItem, notBefore: number, error: string): Promise<boolean>;
  /** Moves the item to dead letters with its reason and last (sanitized) error. */
  bury(item: ClaimedItem, reason: DeadReason, error: string): Promise<boolean>;
  counts(): Promise<InboxCounts>;
  /** Items newest first, optionally filtered. */
  list(filter?: InboxListFilter): Promise<InboxListEntry[]>;
  /** A dead item back to pending: attempts reset, its age counted from now. False when not dead. */
  requeue(id: number, now?: number): Promise<boolean>;
  /** Deletes one item that is not being processed; false when none (or it is processing). */
  drop(id: number): Promise<boolean>;
  /** Deletes done or dead items last changed before `olderThan` (every one when omitted). */
  purge(status: 'done' | 'dead', olderThan?: number): Promise<number>;
  /** Retention: deletes done and dead items last changed before `olderThan` (epoch ms). */
  sweep(olderThan: number): Promise<number>;
  /**
   * Calls `listener` after this process durably enqueued new messages, so a worker wakes at once
   * instead of busy polling. A local hint only: other processes' enqueues are found by polling.
   * Returns the unsubscribe function.
   */
  onEnqueued(listener: () => void): () => void;
  /** Small persisted cursors, such as Telegram's getUpdates offset. */
  getCursor(name: string): Promise<string | undefined>;
  setCursor(name: string, value: string): Promise<void>;
  close(): Promise<void>;
}

export type { ChannelName };
