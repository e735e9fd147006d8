import type { TelegramConfig } from '../../config/schema.js';
import { verifyTelegramSecret } from '../signature.js';
import type { ChannelRequest, VerifyResult } from '../types.js';

/** POST /telegram: the secret header Telegram echoes from setWebhook; unset secret = refuse. */
export function verifyTelegramRequest(
  config: TelegramConfig,
  request: ChannelRequest,
): VerifyResult {
  const ok = verifyTelegramSecret({
    secretToken: config.secret_token,
    header: request.headers['x-telegram-bot-api-secret-token'],
  });
  return ok ? { ok: true } : { ok: false, code: 'CHANNEL_SECRET_INVALID' };
}
