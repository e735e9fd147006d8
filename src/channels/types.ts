import type { ErrorCode } from '../errors.js';
import type { ChannelDeliverer, OutboundReply } from '../core/delivery.js';
import type { ChannelName, DispatchRequest, InboundMessage, Principal } from '../core/types.js';

export { DeliveryError } from '../core/delivery.js';
export type { OutboundReply, UnknownOutcomePolicy } from '../core/delivery.js';

/** An HTTP request as an adapter sees it: the exact received bytes, lower-cased header names. */
export interface ChannelRequest {
  method: string;
  headers: Readonly<Record<string, string | undefined>>;
  /** The exact bytes received; signatures are computed over these, never over re-serialized JSON. */
  rawBody: Buffer;
  query: Readonly<Record<string, string | undefined>>;
  /** Epoch ms. */
  receivedAt: number;
  /** The client key of the request (peer address, or the trusted forwarded one). */
  clientKey?: string;
  /** Lower-case names of headers that appeared more than once (their values are joined above). */
  repeatedHeaders?: ReadonlySet<string>;
}

/** Outcome of verifying a request. Adapters fail closed when their secret is not configured. */
export type VerifyResult =
  { ok: true; principal?: Principal } | { ok: false; code: ErrorCode; message?: string };

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
  /** For synchronous channels: how the turn runs (client idempotency key, fresh conversation…). */
  turn?: Pick<
    DispatchRequest,
    'idempotencyKey' | 'freshConversation' | 'conversation' | 'generation'
  >;
}

/** The ChannelAdapter port: everything channel-specific, nothing else. */
export interface ChannelAdapter {
  readonly name: ChannelName;
  /**
   * Authenticate a request by the channel's own scheme (signature, secret header, bearer token),
   * in constant time, failing closed. Synchronous channels also learn who is calling.
   */
  verify(request: ChannelRequest): VerifyResult | Promise<VerifyResult>;
  /**
   * Answer a GET handshake (WhatsApp hub.challenge); undefined when the adapter has none. Throws
   * GatewayError when the handshake is refused.
   */
  handshake?(request: ChannelRequest): ChannelResponse;
  /** Turn a verified payload into messages. Throws GatewayError('INVALID_JSON' | 'INVALID_BODY') on bad input. */
  parse(request: ChannelRequest, principal?: Principal): ParseResult;
  /**
   * Send a reply through the platform API, splitting it when the platform requires. Only
   * asynchronous channels have it; synchronous ones answer in the HTTP response or on the socket.
   */
  deliver?(reply: OutboundReply, signal: AbortSignal): Promise<void>;
  /**
   * Optional background intake (Telegram long polling); resolves when `signal` aborts. An adapter
   * that polls takes no webhooks: its path answers CHANNEL_NOT_CONFIGURED.
   */
  poll?(
    sink: (messages: InboundMessage[], dropped: number) => Promise<void>,
    signal: AbortSignal,
  ): Promise<void>;
}

/** An asynchronous channel's adapter: replies go out through the platform API, part by part. */
export interface DeliveringChannelAdapter extends ChannelAdapter, ChannelDeliverer {
  readonly name: ChannelName;
  deliver(reply: OutboundReply, signal: AbortSignal): Promise<void>;
}
