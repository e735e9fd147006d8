import type { WhatsAppConfig } from '../../config/schema.js';
import { verifyMetaHandshake, verifyMetaSignature } from '../signature.js';
import type { ChannelRequest, ChannelResponse, VerifyResult } from '../types.js';

/** POST /whatsapp: `X-Hub-Signature-256` over the raw body; no app secret means refuse. */
export function verifyWhatsAppRequest(
  config: WhatsAppConfig,
  request: ChannelRequest,
): VerifyResult {
  const ok = verifyMetaSignature({
    appSecret: config.app_secret,
    rawBody: request.rawBody,
    header: request.headers['x-hub-signature-256'],
  });
  return ok ? { ok: true } : { ok: false, code: 'SIGNATURE_INVALID' };
}

/**
 * What a `hub.challenge` may be before it is echoed. Meta sends a numeric string; anything else
 * (markup, control characters, a megabyte) would turn this endpoint into a reflector for
 * whoever holds or guesses the verify token.
 */
const CHALLENGE_PATTERN = /^[A-Za-z0-9_.~-]{1,256}$/;

/** Whether a `hub.challenge` value is safe to echo back as text/plain. */
export function isEchoableChallenge(challenge: string): boolean {
  return CHALLENGE_PATTERN.test(challenge);
}

/** GET /whatsapp: Meta's subscription handshake echoes `hub.challenge` only for our verify token. */
export function answerWhatsAppHandshake(
  config: WhatsAppConfig,
  request: ChannelRequest,
): ChannelResponse {
  const ok = verifyMetaHandshake({
    verifyToken: config.verify_token,
    mode: request.query['hub.mode'],
    token: request.query['hub.verify_token'],
  });
  const challenge = request.query['hub.challenge'];
  if (!ok || challenge === undefined) {
    return { status: 403, contentType: 'text/plain', body: 'Forbidden' };
  }
  if (!isEchoableChallenge(challenge)) {
    return { status: 400, contentType: 'text/plain', body: 'Bad Request' };
  }
  return { status: 200, contentType: 'text/plain', body: challenge };
}
