import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Dispatch, Principal } from '../../core/types.js';
import { GatewayError } from '../../errors.js';
import { parseIdempotencyKey } from '../../limits/idempotency.js';
import type { RateLimiter } from '../../limits/types.js';
import { requireAllowedOrigin } from '../../http/request-origin.js';
import type { AllowedOriginOptions } from '../../http/request-origin.js';
import type { RouteRegistrar } from '../types.js';
import { parseSessionId, parseWebhookBody, verifyWebhookSecret } from './webhook-request.js';

export interface WebhookRouteOptions {
  limiter: RateLimiter;
  /** Resolves the caller (paired token or JWT with `channels:api`), or throws a 401/403 GatewayError. */
  authenticate: (request: FastifyRequest) => Promise<Principal>;
  /** SHA-256 of `[channels_config.webhook].secret`, when set. */
  webhookSecretHash: Buffer | undefined;
  dispatch: Dispatch;
  /** Browser origins allowed to post (the gateway's own and `allowed_origins`). */
  origins: AllowedOriginOptions;
}

const DUPLICATE_MESSAGE = 'Request already processed for this idempotency key';

/**
 * `POST /webhook`: a foreign browser origin is refused first, then the checks in the reference
 * order, then one turn through the core dispatch.
 */
export function webhookRoutes(options: WebhookRouteOptions): RouteRegistrar {
  const { limiter, authenticate, webhookSecretHash, dispatch } = options;
  const preHandler = requireAllowedOrigin(options.origins);

  return function registerWebhookRoutes(app: FastifyInstance) {
    app.post('/webhook', { preHandler }, async function handleWebhook(request, reply) {
      const decision = await limiter.hit(request.clientKey);
      if (!decision.allowed) {
        throw new GatewayError('RATE_LIMITED', { extra: { retry_after: decision.retryAfterSecs } });
      }
      const principal = await authenticate(request);
      if (!verifyWebhookSecret(webhookSecretHash, header(request, 'x-webhook-secret'))) {
        throw new GatewayError('WEBHOOK_SECRET_INVALID');
      }
      const body = parseWebhookBody(request.rawBody);
      const sessionId = parseSessionId(header(request, 'x-session-id'));
      const idempotencyKey = parseIdempotencyKey(header(request, 'x-idempotency-key'));

      // A session id is scoped by principal so nobody can read another client's history by guessing it.
      const conversationId = `api:${principal.id}:${sessionId ?? randomUUID()}`;
      const result = await dispatch({
        message: {
          channel: 'api',
          senderId: principal.id,
          conversationId,
          text: body.message,
          messageId: randomUUID(),
          replyTarget: 'http',
          receivedAt: Date.now(),
        },
        principal,
        // Without X-Session-Id the conversation id was made up just now: no history to look up.
        freshConversation: sessionId === undefined,
        idempotencyKey,
        signal: request.workSignal,
      });
      if (result.duplicate) {
        return reply.send({
          status: 'duplicate',
          idempotent: true,
          message: DUPLICATE_MESSAGE,
          response: result.response,
          model: result.model,
        });
      }
      return reply.send({ response: result.response, model: result.model });
    });
  };
}

/** A single header value; repeated headers are ambiguous for secrets and ids, so they are refused. */
function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  if (Array.isArray(value)) {
    throw new GatewayError('INVALID_HEADER', { message: `${name} must appear once` });
  }
  return value;
}
