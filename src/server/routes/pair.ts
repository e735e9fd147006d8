import type { Logger } from 'pino';
import type { PairingGuard } from '../../auth/pairing.js';
import { GatewayError } from '../../errors.js';
import type { RateLimiter } from '../../limits/types.js';
import { requireAllowedOrigin } from '../../http/request-origin.js';
import type { AllowedOriginOptions } from '../../http/request-origin.js';
import type { RouteRegistrar } from '../types.js';

export interface PairRoutesOptions {
  guard: Pick<PairingGuard, 'tryPair'>;
  /** The `/pair` limiter (`pair_rate_limit_per_minute`). */
  limiter: RateLimiter;
  /** Browser origins allowed to pair (the gateway's own and `allowed_origins`). */
  origins: AllowedOriginOptions;
  logger: Pick<Logger, 'debug' | 'info' | 'warn'>;
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
 * `POST /pair`: origin → rate limit → lockout → code → token. Neither the code nor the token is
 * logged at any level; logs carry only the client key and the outcome.
 */
export function pairRoutes(options: PairRoutesOptions): RouteRegistrar {
  const { guard, limiter, logger } = options;
  const preHandler = requireAllowedOrigin(options.origins);
  return function registerPairRoutes(app) {
    app.post('/pair', { preHandler }, async function pair(request, reply) {
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
        logRefusal(logger, request.clientKey, error);
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

/**
 * Unauthenticated clients choose how often these lines are written, so a wrong code is info and
 * an attempt during a lockout is debug; the guard warns once when a lockout starts.
 */
function logRefusal(logger: PairRoutesOptions['logger'], clientKey: string, error: unknown): void {
  if (!(error instanceof GatewayError)) return;
  if (error.code === 'PAIRING_CODE_INVALID') {
    logger.info({ clientKey }, 'pairing code refused');
  } else if (error.code === 'PAIRING_LOCKED') {
    logger.debug({ clientKey }, 'pairing refused: client is locked out');
  } else {
    logger.warn({ clientKey, code: error.code, err: error.cause }, 'pairing failed');
  }
}
