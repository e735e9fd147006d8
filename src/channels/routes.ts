import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { GatewayError } from '../errors.js';
import type { Inbox } from '../inbox/types.js';
import type { Observer } from '../observability/types.js';
import type { HealthRegistry } from '../runtime/types.js';
import type { RouteRegistrar } from '../http/route-types.js';
import { acceptMessages } from './intake.js';
import type { ChannelAdapter, ChannelRequest, ChannelResponse } from './types.js';

/** Webhook paths of the asynchronous channels; they exist (answering 404) even when unconfigured. */
export const CHANNEL_WEBHOOK_PATHS = {
  whatsapp: '/whatsapp',
  slack: '/slack/events',
  telegram: '/telegram',
} as const;

type WebhookChannel = keyof typeof CHANNEL_WEBHOOK_PATHS;

export interface ChannelRoutesOptions {
  adapters: ReadonlyArray<ChannelAdapter>;
  inbox: Inbox;
  observer: Observer;
  health: HealthRegistry;
  logger: Logger;
}

/**
 * Webhook routes: verify → parse → (direct answer) → durable enqueue → 200. The platform is
 * acknowledged only after the inbox write is durable, and never waits for the agent.
 */
export function channelRoutes(options: ChannelRoutesOptions): RouteRegistrar {
  return function registerChannelRoutes(app: FastifyInstance): void {
    const webhookAdapter = (name: WebhookChannel): ChannelAdapter | undefined =>
      // A polling adapter takes no webhooks: Telegram allows one intake mode at a time.
      options.adapters.find((adapter) => adapter.name === name && adapter.poll === undefined);

    for (const name of Object.keys(CHANNEL_WEBHOOK_PATHS) as WebhookChannel[]) {
      const adapter = webhookAdapter(name);
      if (adapter) options.health.report(`channels.${name}`, 'ok');
      app.post(CHANNEL_WEBHOOK_PATHS[name], async (request, reply) => {
        if (!adapter) throw new GatewayError('CHANNEL_NOT_CONFIGURED');
        return handleWebhook(options, adapter, request, reply);
      });
    }

    app.get(CHANNEL_WEBHOOK_PATHS.whatsapp, async (request, reply) => {
      const adapter = webhookAdapter('whatsapp');
      if (!adapter?.handshake) throw new GatewayError('CHANNEL_NOT_CONFIGURED');
      return sendResponse(reply, adapter.handshake(toChannelRequest(request)));
    });
  };
}

async function handleWebhook(
  options: ChannelRoutesOptions,
  adapter: ChannelAdapter,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<unknown> {
  const channelRequest = toChannelRequest(request);
  const verified = adapter.verify(channelRequest);
  if (!verified.ok) {
    // Debug only: unauthenticated traffic must not be able to flood the log.
    options.logger.debug({ channel: adapter.name, code: verified.code }, 'webhook refused');
    throw new GatewayError(verified.code);
  }
  const parsed = adapter.parse(channelRequest);
  if (parsed.response) return sendResponse(reply, parsed.response);
  const { accepted, duplicates } = await acceptMessages(options, adapter.name, parsed);
  return reply.code(200).send({ status: 'ok', accepted, duplicates });
}

function sendResponse(reply: FastifyReply, response: ChannelResponse): FastifyReply {
  return reply.code(response.status).type(response.contentType).send(response.body);
}

/** The adapter's view of a request: exact bytes, lower-case headers, single-valued query. */
export function toChannelRequest(request: FastifyRequest): ChannelRequest {
  const headers: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(request.headers)) {
    headers[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  const query: Record<string, string | undefined> = {};
  if (typeof request.query === 'object' && request.query !== null) {
    for (const [key, value] of Object.entries(request.query)) {
      // A repeated parameter is ambiguous; treat it as absent so checks fail closed.
      if (typeof value === 'string') query[key] = value;
    }
  }
  return {
    method: request.method,
    headers,
    rawBody: Buffer.isBuffer(request.rawBody) ? request.rawBody : Buffer.alloc(0),
    query,
    receivedAt: Date.now(),
  };
}
