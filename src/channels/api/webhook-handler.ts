import type { CancelSignal } from '../../core/cancel-signal.js';
import type { Dispatch, DispatchRequest } from '../../core/types.js';
import { GatewayError } from '../../errors.js';
import { requireAllowedOrigin } from '../../http/request-origin.js';
import type { AllowedOriginOptions } from '../../http/request-origin.js';
import type { RateLimiter } from '../../limits/types.js';
import type { ChannelRouteHandler } from '../module.js';
import type { ChannelAdapter } from '../types.js';
import { toChannelRequest } from '../webhook-handlers.js';
import type { ChannelHttpRequest } from '../webhook-handlers.js';
import { streamWebhookTurn, wantsEventStream, webhookAnswer } from './webhook-sse.js';
import type { WebhookStreamOptions } from './webhook-sse.js';

/** A turn as the webhook builds it; the signal is added when it is dispatched. */
type WebhookTurn = Omit<DispatchRequest, 'signal' | 'onDelta'>;

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
 * Requests without an `Origin` that do not ask for an event stream are also answered by the
 * plain lane (`plain`), through the same steps.
 */
export function apiWebhookHandler(options: ApiWebhookOptions): ChannelRouteHandler {
  const { adapter, limiter, dispatch } = options;
  const streamOptions = { ...options.stream, dispatch };

  /** Rate limit, verify and parse: the turn this request asks for, or the refusal thrown. */
  async function turnOf(request: ChannelHttpRequest): Promise<WebhookTurn> {
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
    const turn: WebhookTurn = {
      message,
      principal,
      clientKey: request.clientKey,
      freshConversation: parsed.turn?.freshConversation ?? false,
    };
    const idempotencyKey = parsed.turn?.idempotencyKey;
    if (idempotencyKey !== undefined) turn.idempotencyKey = idempotencyKey;
    return turn;
  }

  /** The whole turn answered at once. Completed in place: no copy of the turn per request. */
  async function answer(turn: WebhookTurn, signal: CancelSignal): Promise<object> {
    return webhookAnswer(await dispatch(Object.assign(turn, { signal })));
  }

  return {
    preHandler: requireAllowedOrigin(options.origins),
    handler: async function handleWebhook(request, reply) {
      const turn = await turnOf(request);
      if (wantsEventStream(request)) {
        return streamWebhookTurn(streamOptions, turn, request, reply);
      }
      return reply.send(await answer(turn, request.workSignal));
    },
    plain: {
      // With an Origin the preHandler decides; an event stream is not a JSON answer.
      admits: (headers) => headers.origin === undefined && !wantsEventStream({ headers }),
      answer: async (request) => answer(await turnOf(request), request.workSignal),
    },
  };
}
