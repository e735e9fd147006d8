import type { Dispatch, DispatchRequest } from '../../core/types.js';
import { GatewayError } from '../../errors.js';
import { requireAllowedOrigin } from '../../http/request-origin.js';
import type { AllowedOriginOptions } from '../../http/request-origin.js';
import type { RateLimiter } from '../../limits/types.js';
import type { ChannelRouteHandler } from '../module.js';
import type { ChannelAdapter } from '../types.js';
import { toChannelRequest } from '../webhook-handlers.js';
import { streamWebhookTurn, wantsEventStream, webhookAnswer } from './webhook-sse.js';
import type { WebhookStreamOptions } from './webhook-sse.js';

export interface ApiWebhookOptions {
  adapter: ChannelAdapter;
  /** Streamed (`Accept: text/event-stream`) turns. */
  stream: Omit<WebhookStreamOptions, 'dispatch'>;
  limiter: RateLimiter;
  dispatch: Dispatch;
  /** Browser origins allowed to post (the gateway's own and `allowed_origins`). */
  origins: AllowedOriginOptions;
}

/**
 * `POST /webhook`: a foreign browser origin is refused first, then the rate limit, the adapter's
 * verify (bearer, webhook secret) and parse (body, headers), then one turn through the core.
 */
export function apiWebhookHandler(options: ApiWebhookOptions): ChannelRouteHandler {
  const { adapter, limiter, dispatch } = options;
  const streamOptions = { ...options.stream, dispatch };
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
      const message = parsed.messages[0];
      if (message === undefined) throw new GatewayError('INVALID_BODY');
      const turn: Omit<DispatchRequest, 'signal' | 'onDelta'> = {
        message,
        principal,
        clientKey: request.clientKey,
        freshConversation: parsed.turn?.freshConversation ?? false,
      };
      const idempotencyKey = parsed.turn?.idempotencyKey;
      if (idempotencyKey !== undefined) turn.idempotencyKey = idempotencyKey;
      if (wantsEventStream(request)) {
        return streamWebhookTurn(streamOptions, turn, request, reply);
      }
      // Completed in place: no copy of the turn for each request.
      const result = await dispatch(Object.assign(turn, { signal: request.workSignal }));
      return reply.send(webhookAnswer(result));
    },
  };
}
