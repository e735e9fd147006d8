import type { preHandlerAsyncHookHandler } from 'fastify';
import * as z from 'zod';
import type { Authenticate } from '../../auth/authenticate.js';
import { rejectTokenInQuery } from '../../auth/bearer.js';
import { SCOPE_WEB } from '../../auth/scopes.js';
import { GatewayError } from '../../errors.js';
import { requireAllowedOrigin } from '../../http/request-origin.js';
import type { AllowedOriginOptions } from '../../http/request-origin.js';
import type { RouteRegistrar } from '../../http/route-types.js';
import type { ChannelRoute, ChannelRouteHandler } from '../module.js';
import { channelRouteRegistrar } from '../route-builder.js';
import { CLOSE_CODES } from './close-codes.js';
import type { SessionDirectory, SessionRegistry } from './session-registry.js';
import type { TicketStore } from './tickets.js';

/** A route preHandler that lets only the local operator through (loopback + admin secret). */
export type AdminGuard = preHandlerAsyncHookHandler;

/** The web channel's declared routes; the WebSocket itself is an upgrade path. */
export const WEB_ROUTES: readonly ChannelRoute[] = [
  { id: 'ticket', method: 'POST', path: '/ws/ticket', aliases: ['/channels/web/ticket'] },
  { id: 'socket', method: 'GET', path: '/ws', aliases: ['/channels/web/ws'], kind: 'upgrade' },
  { id: 'admin-sessions', method: 'GET', path: '/admin/sessions', aliases: [] },
  { id: 'admin-session-kill', method: 'DELETE', path: '/admin/sessions/:id', aliases: [] },
];

export interface WebRoutesOptions {
  authenticator: Authenticate;
  tickets: TicketStore;
  registry: SessionRegistry;
  /** The same browser-Origin policy as the upgrade itself. */
  origins: AllowedOriginOptions;
  /** What `sessions list|kill` act on; defaults to this instance's registry. */
  directory?: SessionDirectory;
  /** Without it the admin session endpoints are not registered at all (fail closed). */
  adminGuard?: AdminGuard;
}

const sessionParamsSchema = z.strictObject({ id: z.uuid() });

/** POST /ws/ticket, and the admin endpoints behind `gatehouse sessions list|kill`, by route id. */
export function webHandlers(options: WebRoutesOptions): Record<string, ChannelRouteHandler> {
  const handlers: Record<string, ChannelRouteHandler> = {
    ticket: {
      preHandler: requireAllowedOrigin(options.origins),
      handler: async function issueTicket(request, reply) {
        rejectTokenInQuery(request.query);
        const principal = await options.authenticator(request.headers.authorization, SCOPE_WEB);
        const { ticket, expiresIn } = await options.tickets.issue(principal);
        void reply.header('cache-control', 'no-store');
        return { ticket, expires_in: expiresIn };
      },
    },
  };
  const { adminGuard } = options;
  // Without a guard the admin endpoints have no handler, so they answer CHANNEL_NOT_CONFIGURED.
  if (adminGuard === undefined) return handlers;
  const directory = options.directory ?? localDirectory(options.registry);
  handlers['admin-sessions'] = {
    preHandler: adminGuard,
    handler: async function listSessions() {
      return { sessions: await directory.list() };
    },
  };
  handlers['admin-session-kill'] = {
    preHandler: adminGuard,
    handler: async function killSession(request) {
      const params = sessionParamsSchema.safeParse(request.params);
      if (!params.success) throw new GatewayError('SESSION_NOT_FOUND');
      const closed = await directory.kill(params.data.id);
      if (!closed) throw new GatewayError('SESSION_NOT_FOUND');
      return { killed: params.data.id };
    },
  };
  return handlers;
}

/** The declared web routes with their handlers, as one registrar. */
export function webRoutes(options: WebRoutesOptions): RouteRegistrar {
  return channelRouteRegistrar([{ routes: WEB_ROUTES, handlers: webHandlers(options) }]);
}

/** The sessions of this instance only (the embedded default). */
export function localDirectory(registry: SessionRegistry): SessionDirectory {
  return {
    list: async () => registry.list(),
    kill: async (sessionId) => registry.close(sessionId, CLOSE_CODES.KILLED, 'killed by operator'),
  };
}
