import type { InboundMessage } from './types.js';

/** A reply to deliver through a platform API. */
export interface OutboundReply {
  message: InboundMessage;
  text: string;
  /**
   * Stable id of this reply part (`<channel>:<messageId>:<index>`), set by the inbox. Slack posts
   * it as message metadata so a part whose send outcome is unknown can be found again.
   */
  partId?: string;
}

/**
 * What the inbox does with a part whose send may or may not have reached the platform (the
 * process died between the call and its answer): look it up on the platform, send it again
 * (at-least-once), or skip it and record it as unknown (at-most-once).
 */
export type UnknownOutcomePolicy = 'reconcile' | 'resend' | 'skip';

/** Thrown by `deliver`: `retryable` for 429/5xx/network errors, with the server's Retry-After. */
export class DeliveryError extends Error {
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly status: number | undefined;

  constructor(
    message: string,
    options: { retryable: boolean; retryAfterMs?: number; status?: number; cause?: unknown },
  ) {
    super(message, { cause: options.cause });
    this.name = 'DeliveryError';
    this.retryable = options.retryable;
    this.retryAfterMs = options.retryAfterMs;
    this.status = options.status;
  }
}

/**
 * The delivery side of an asynchronous channel, as the inbox worker sees it. Channel adapters
 * implement it; the inbox depends on this port, never on `channels/`.
 */
export interface ChannelDeliverer {
  readonly name: string;
  /** Send one reply part through the platform API. */
  deliver(reply: OutboundReply, signal: AbortSignal): Promise<void>;
  /** The platform messages a reply is sent as (each within the platform's length limit). */
  split(text: string): string[];
  readonly unknownOutcome: UnknownOutcomePolicy;
  /**
   * For `reconcile`: which of `partIds` the platform already holds for this conversation.
   * Throws DeliveryError when the platform cannot be asked right now.
   */
  findDelivered?(
    message: InboundMessage,
    partIds: readonly string[],
    signal: AbortSignal,
  ): Promise<ReadonlySet<string>>;
}
