import type { Logger } from 'pino';
import type { PairingGuard } from '../../auth/pairing.js';
import { GatewayError } from '../../errors.js';
import type { RateLimiter } from '../../limits/types.js';
import type { RouteRegistrar } from '../types.js';

export interface PairRoutesOptions {
  guard: Pick<PairingGuard, 'tryPair'>;
  /** The `/pair` limiter (`pair_rate_limit_per_minute`). */
  limiter: RateLimiter;
  logger: Pick<Logger, 'info' | 'warn'>;
}

/** Body of a successful pairing; `message` keeps the literal `<token>` placeholder. */
export interface PairSuccessBody {
  paired: true;
  persisted: true;
  token: string;
  message: string;
}

/** Header carrying the one-time code. */
export const PAIRING_CODE_HEADER = 'x-pairing-code';

/**
 * `POST /pair`: rate limit → lockout → code → token. Neither the code nor the token is logged at
 * any level; logs carry only the client key and the outcome.
 */
export function pairRoutes(options: PairRoutesOptions): RouteRegistrar {
  const { guard, limiter, logger } = options;
  return function registerPairRoutes(app) {
    app.post('/pair', async function pair(request, reply) {
      const decision = await limiter.hit(request.clientKey);
      if (!decision.allowed) {
        throw new GatewayError('RATE_LIMITED', { extra: { retry_after: decision.retryAfterSecs } });
      }
      const header = request.headers[PAIRING_CODE_HEADER];
      const code = typeof header === 'string' ? header.trim() : undefined;
      let token: string;
      try {
        token = await guard.tryPair(code, request.clientKey);
      } catch (error) {
        if (error instanceof GatewayError) {
          logger.warn({ clientKey: request.clientKey, code: error.code }, 'pairing refused');
        }
        throw error;
      }
      logger.info({ clientKey: request.clientKey }, 'device paired');
      const body: PairSuccessBody = {
        paired: true,
        persisted: true,
        token,
        message: 'Save this token — use it as Authorization: Bearer <token>',
      };
      // RFC 6749 §5.1: a response carrying a credential must not be cached.
      return reply.header('cache-control', 'no-store').code(200).send(body);
    });
  };
}
