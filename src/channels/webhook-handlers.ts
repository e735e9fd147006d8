import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { GatewayError } from '../errors.js';
import type { Inbox } from '../inbox/types.js';
import type { Observer } from '../observability/types.js';
import { acceptMessages } from './intake.js';
import type { ChannelRouteHandler } from './module.js';
import type { ChannelAdapter, ChannelRequest, ChannelResponse } from './types.js';

export interface WebhookHandlerDeps {
  inbox: Inbox;
  observer: Observer;
  logger: Logger;
}

/** Handlers of an asynchronous channel: `webhook` (POST) and, when the adapter has one, `handshake` (GET). */
export type WebhookHandlers = Partial<Record<'webhook' | 'handshake', ChannelRouteHandler>>;

/**
 * Webhook handlers: verify → parse → (direct answer) → durable enqueue → 200. The platform is
 * acknowledged only after the inbox write is durable, and never waits for the agent. A polling
 * adapter takes no webhooks (Telegram allows one intake mode at a time): it gets no handlers.
 */
export function webhookHandlers(
  adapter: ChannelAdapter,
  deps: WebhookHandlerDeps,
): WebhookHandlers {
  if (adapter.poll !== undefined) return {};
  const handshake = adapter.handshake?.bind(adapter);
  return {
    webhook: {
      handler: async function handleChannelWebhook(request, reply) {
        return handleWebhook(deps, adapter, request, reply);
      },
    },
    ...(handshake === undefined
      ? {}
      : {
          handshake: {
            handler: async function handleChannelHandshake(request, reply) {
              return sendResponse(reply, handshake(toChannelRequest(request)));
            },
          },
        }),
  };
}

async function handleWebhook(
  deps: WebhookHandlerDeps,
  adapter: ChannelAdapter,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<unknown> {
  const channelRequest = toChannelRequest(request);
  const verified = await adapter.verify(channelRequest);
  if (!verified.ok) {
    // Debug only: unauthenticated traffic must not be able to flood the log.
    deps.logger.debug({ channel: adapter.name, code: verified.code }, 'webhook refused');
    throw new GatewayError(
      verified.code,
      verified.message === undefined ? undefined : { message: verified.message },
    );
  }
  const parsed = adapter.parse(channelRequest);
  if (parsed.response) return sendResponse(reply, parsed.response);
  const { accepted, duplicates } = await acceptMessages(deps, adapter.name, parsed);
  return reply.code(200).send({ status: 'ok', accepted, duplicates });
}

function sendResponse(reply: FastifyReply, response: ChannelResponse): FastifyReply {
  return reply.code(response.status).type(response.contentType).send(response.body);
}

/** What toChannelRequest reads of a request: a framework request or a plain lane's has it. */
export type ChannelHttpRequest = Pick<
  FastifyRequest,
  'method' | 'headers' | 'query' | 'rawBody' | 'clientKey'
>;

/** The adapter's view of a request: exact bytes, lower-case headers, single-valued query. */
export function toChannelRequest(request: ChannelHttpRequest): ChannelRequest {
  const headers: Record<string, string | undefined> = {};
  let repeatedHeaders: Set<string> | undefined;
  // Node gives header names in lower case already (and nothing here sets the framework's extra
  // headers), so they are taken as they are.
  const given = request.headers;
  for (const name in given) {
    const value = given[name];
    if (Array.isArray(value)) {
      (repeatedHeaders ??= new Set()).add(name);
      headers[name] = value.join(', ');
    } else {
      headers[name] = value;
    }
  }
  const query: Record<string, string | undefined> = {};
  if (typeof request.query === 'object' && request.query !== null) {
    for (const [key, value] of Object.entries(request.query)) {
      // A repeated parameter is ambiguous; treat it as absent so checks fail closed.
      if (typeof value === 'string') query[key] = value;
    }
  }
  const channelRequest: ChannelRequest = {
    method: request.method,
    headers,
    rawBody: Buffer.isBuffer(request.rawBody) ? request.rawBody : Buffer.alloc(0),
    query,
    receivedAt: Date.now(),
    clientKey: request.clientKey,
  };
  if (repeatedHeaders !== undefined) channelRequest.repeatedHeaders = repeatedHeaders;
  return channelRequest;
}
