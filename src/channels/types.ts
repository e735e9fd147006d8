import type { ErrorCode } from '../errors.js';
import type { ChannelName, InboundMessage } from '../core/types.js';

/** An HTTP request as an adapter sees it: the exact received bytes, lower-cased header names. */
export interface ChannelRequest {
  method: string;
  headers: Readonly<Record<string, string | undefined>>;
  /** The exact bytes received; signatures are computed over these, never over re-serialized JSON. */
  rawBody: Buffer;
  query: Readonly<Record<string, string | undefined>>;
  /** Epoch ms. */
  receivedAt: number;
}

/** Outcome of verifying a request. Adapters fail closed when their secret is not configured. */
export type VerifyResult = { ok: true } | { ok: false; code: ErrorCode };

/**
 * An immediate successful HTTP answer an adapter gives (challenges, acknowledgements). Refusals
 * are never a ChannelResponse: they are thrown as GatewayError so every error body is JSON.
 */
export interface ChannelResponse {
  status: 200;
  contentType: 'application/json' | 'text/plain';
  body: string;
}

/** What a verified payload turned into. */
export interface ParseResult {
  messages: InboundMessage[];
  /** Messages dropped by the allowlist (counted, never processed). */
  dropped: number;
  /** Set when the payload asks for a direct answer instead (e.g. Slack url_verification). */
  response?: ChannelResponse;
}

/** A reply to deliver through the platform API. */
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

/** The ChannelAdapter port: everything channel-specific, nothing else. */
export interface ChannelAdapter {
  readonly name: ChannelName;
  /** HTTP path of its webhook, e.g. "/whatsapp". */
  readonly path: string;
  /** Authenticate a webhook POST: its own scheme, constant time, fail closed. */
  verify(request: ChannelRequest): VerifyResult;
  /**
   * Answer a GET handshake (WhatsApp hub.challenge); undefined when the adapter has none. Throws
   * GatewayError when the handshake is refused.
   */
  handshake?(request: ChannelRequest): ChannelResponse;
  /** Turn a verified payload into messages. Throws GatewayError('INVALID_JSON' | 'INVALID_BODY') on bad input. */
  parse(request: ChannelRequest): ParseResult;
  /** Send a reply through the platform API, splitting it when the platform requires. */
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
  /**
   * Optional background intake (Telegram long polling); resolves when `signal` aborts. An adapter
   * that polls takes no webhooks: its path answers CHANNEL_NOT_CONFIGURED.
   */
  poll?(
    sink: (messages: InboundMessage[], dropped: number) => Promise<void>,
    signal: AbortSignal,
  ): Promise<void>;
}
