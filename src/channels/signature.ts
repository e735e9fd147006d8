import { createHmac } from 'node:crypto';
import { constantTimeEqual } from '../auth/constant-time.js';

/*
 * Pure webhook authenticity checks. Every verifier fails closed: an unset or empty secret means
 * "refuse everything", never "skip the check". Signatures are computed over the exact received
 * bytes; re-serialized JSON would differ in whitespace or key order and must not verify.
 */

const META_SIGNATURE = /^sha256=([0-9a-fA-F]{64})$/;
const SLACK_SIGNATURE = /^v0=([0-9a-fA-F]{64})$/;
const SLACK_TIMESTAMP = /^\d{1,15}$/;

/** Slack's replay window: requests older or newer than this are refused. */
export const SLACK_MAX_SKEW_SECONDS = 300;

function hmacHex(secret: string, ...parts: Array<string | Buffer>): string {
  const hmac = createHmac('sha256', secret);
  for (const part of parts) hmac.update(part);
  return hmac.digest('hex');
}

export interface MetaSignatureInput {
  appSecret: string | undefined;
  rawBody: Buffer;
  /** The `X-Hub-Signature-256` header value. */
  header: string | undefined;
}

/** Checks Meta's `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`. */
export function verifyMetaSignature(input: MetaSignatureInput): boolean {
  if (!input.appSecret || input.header === undefined) return false;
  const match = META_SIGNATURE.exec(input.header);
  if (!match?.[1]) return false;
  const expected = hmacHex(input.appSecret, input.rawBody);
  return constantTimeEqual(match[1].toLowerCase(), expected);
}

export interface SlackSignatureInput {
  signingSecret: string | undefined;
  /** `X-Slack-Request-Timestamp`, epoch seconds. */
  timestampHeader: string | undefined;
  rawBody: Buffer;
  /** `X-Slack-Signature`. */
  signatureHeader: string | undefined;
  /** Epoch ms. */
  now: number;
}

/** Checks Slack's `v0=` signature over `v0:{timestamp}:{raw body}` and the 5-minute replay window. */
export function verifySlackSignature(input: SlackSignatureInput): boolean {
  const { signingSecret, timestampHeader, signatureHeader } = input;
  if (!signingSecret || timestampHeader === undefined || signatureHeader === undefined) {
    return false;
  }
  if (!SLACK_TIMESTAMP.test(timestampHeader)) return false;
  // Both directions: a far-future timestamp would otherwise stay replayable for its whole lead.
  const skewSeconds = Math.abs(input.now / 1000 - Number(timestampHeader));
  if (!(skewSeconds <= SLACK_MAX_SKEW_SECONDS)) return false;
  const match = SLACK_SIGNATURE.exec(signatureHeader);
  if (!match?.[1]) return false;
  const expected = hmacHex(signingSecret, `v0:${timestampHeader}:`, input.rawBody);
  return constantTimeEqual(match[1].toLowerCase(), expected);
}

export interface TelegramSecretInput {
  secretToken: string | undefined;
  /** `X-Telegram-Bot-Api-Secret-Token`. */
  header: string | undefined;
}

/** Checks Telegram's webhook secret header against the configured `secret_token`. */
export function verifyTelegramSecret(input: TelegramSecretInput): boolean {
  if (!input.secretToken || input.header === undefined) return false;
  return constantTimeEqual(input.header, input.secretToken);
}

export interface MetaHandshakeInput {
  verifyToken: string | undefined;
  /** `hub.mode` query parameter. */
  mode: string | undefined;
  /** `hub.verify_token` query parameter. */
  token: string | undefined;
}

/** Decides Meta's GET subscription handshake: mode `subscribe` and the verify token we chose. */
export function verifyMetaHandshake(input: MetaHandshakeInput): boolean {
  if (!input.verifyToken || input.mode !== 'subscribe' || input.token === undefined) return false;
  return constantTimeEqual(input.token, input.verifyToken);
}
