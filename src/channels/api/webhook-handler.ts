import type { Dispatch } from '../../core/types.js';
import { GatewayError } from '../../errors.js';
import { requireAllowedOrigin } from '../../http/request-origin.js';
import type { AllowedOriginOptions } from '../../http/request-origin.js';
import type { RateLimiter } from '../../limits/types.js';
import type { ChannelRouteHandler } from '../module.js';
import type { ChannelAdapter } from '../types.js';
import { toChannelRequest } from '../webhook-handlers.js';

export interface ApiWebhookOptions {
  adapter: ChannelAdapter;
  limiter: RateLimiter;
  dispatch: Dispatch;
  /** Browser origins allowed to post (the gateway's own and `allowed_origins`). */
  origins: AllowedOriginOptions;
}

const DUPLICATE_MESSAGE = 'Request already processed for this idempotency key';

/**
 * `POST /webhook`: a foreign browser origin is refused first, then the rate limit, the adapter's
 * verify (bearer, webhook secret) and parse (body, headers), then one turn through the core.
 */
export function apiWebhookHandler(options: ApiWebhookOptions): ChannelRouteHandler {
  const { adapter, limiter, dispatch } = options;
  return {
    preHandler: requireAllowedOrigin(options.origins),
    handler: async function handleWebhook(request, reply) {
      const decision = await limiter.hit(request.clientKey);
      if (!decision.allowed) {
        throw new GatewayError('RATE_LIMITED', { extra: { retry_after: decision.retryAfterSecs } });
      }
      const channelRequest = toChannelRequest(request);
      const verified = await adapter.verify(channelRequest);
      if (!verified.ok) {
        throw new GatewayError(
          verified.code,
          verified.message === undefined ? undefined : { message: verified.message },
        );
      }
      const principal = verified.principal;
      if (principal === undefined) throw new GatewayError('INTERNAL');
      const parsed = adapter.parse(channelRequest, principal);
      const [message] = parsed.messages;
      if (message === undefined) throw new GatewayError('INVALID_BODY');
      const result = await dispatch({
        message,
        principal,
        freshConversation: parsed.turn?.freshConversation ?? false,
        ...(parsed.turn?.idempotencyKey === undefined
          ? {}
          : { idempotencyKey: parsed.turn.idempotencyKey }),
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
    },
  };
}
