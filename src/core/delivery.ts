import type { InboundMessage } from './types.js';

/** A reply to deliver through a platform API. */
export interface OutboundReply {
  message: InboundMessage;
  text: string;
}

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
  /** Send a reply through the platform API, splitting it when the platform requires. */
  deliver(reply: OutboundReply, signal: AbortSignal): Promise<void>;
}
