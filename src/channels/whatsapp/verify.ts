import type { WhatsAppConfig } from '../../config/schema.js';
import { GatewayError } from '../../errors.js';
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

/**
 * GET /whatsapp: Meta's subscription handshake echoes `hub.challenge` only for our verify token.
 * Throws GatewayError (403 WEBHOOK_VERIFICATION_FAILED, 400 BAD_REQUEST) so a refusal is JSON.
 */
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
  if (!ok || challenge === undefined) throw new GatewayError('WEBHOOK_VERIFICATION_FAILED');
  if (!isEchoableChallenge(challenge)) {
    throw new GatewayError('BAD_REQUEST', {
      message: 'hub.challenge must be 1 to 256 characters of A-Z, a-z, 0-9, "_", ".", "~", "-"',
    });
  }
  return { status: 200, contentType: 'text/plain', body: challenge };
}
