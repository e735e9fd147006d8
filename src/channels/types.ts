import type { ErrorCode } from '../errors.js';
import type { OutboundReply } from '../core/delivery.js';
import type { ChannelName, InboundMessage } from '../core/types.js';

export { DeliveryError } from '../core/delivery.js';
export type { OutboundReply } from '../core/delivery.js';

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
  /**
   * Optional background intake (Telegram long polling); resolves when `signal` aborts. An adapter
   * that polls takes no webhooks: its path answers CHANNEL_NOT_CONFIGURED.
   */
  poll?(
    sink: (messages: InboundMessage[], dropped: number) => Promise<void>,
    signal: AbortSignal,
  ): Promise<void>;
}
