import type { SlackConfig } from '../../config/schema.js';
import { verifySlackSignature } from '../signature.js';
import type { ChannelRequest, VerifyResult } from '../types.js';

/** POST /slack/events: `v0` signature over the raw body inside the 5-minute window. */
export function verifySlackRequest(config: SlackConfig, request: ChannelRequest): VerifyResult {
  const ok = verifySlackSignature({
    signingSecret: config.signing_secret,
    timestampHeader: request.headers['x-slack-request-timestamp'],
    signatureHeader: request.headers['x-slack-signature'],
    rawBody: request.rawBody,
    now: request.receivedAt,
  });
  return ok ? { ok: true } : { ok: false, code: 'SIGNATURE_INVALID' };
}
