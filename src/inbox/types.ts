import type { ChannelName, InboundMessage } from '../core/types.js';

/** Life of an inbox entry. */
export type InboxStatus = 'pending' | 'processing' | 'done' | 'failed';

/** One accepted channel message waiting for (or in) processing. */
export interface InboxItem {
  id: number;
  message: InboundMessage;
  status: InboxStatus;
  attempts: number;
  /** Epoch ms before which it must not be retried. */
  notBefore: number;
  /** The agent's reply once produced, so a redelivery after a crash does not call the agent again. */
  reply?: string;
  lastError?: string;
}

/** Counts per status, for `gatehouse inbox` and /health. */
export type InboxCounts = Record<InboxStatus, number>;

/** The Inbox port: a durable queue of accepted channel messages. */
export interface Inbox {
  /** Durably store messages; a (channel, messageId) seen before is a duplicate and is dropped. */
  enqueue(messages: InboundMessage[]): Promise<{ accepted: number; duplicates: number }>;
  /** Claim up to `limit` due pending items, at most one per conversation and none whose conversation is busy. */
  claim(limit: number, now: number): Promise<InboxItem[]>;
  /** Remember the reply so a retry only redelivers. */
  saveReply(id: number, reply: string): Promise<void>;
  complete(id: number): Promise<void>;
  /** Put back for another attempt at `notBefore`. */
  retry(id: number, notBefore: number, error: string): Promise<void>;
  fail(id: number, error: string): Promise<void>;
  /** On start: items left `processing` by a crash become `pending` again. */
  recover(): Promise<number>;
  counts(): Promise<InboxCounts>;
  /** Deletes done and failed items last touched before `olderThan` (epoch ms); they were dedup markers. */
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
