import type { FastifyInstance, RouteShorthandOptions } from 'fastify';
import { z } from 'zod';
import type { Authenticate } from '../../auth/authenticate.js';
import { rejectTokenInQuery } from '../../auth/bearer.js';
import { SCOPE_WEB } from '../../auth/scopes.js';
import { GatewayError } from '../../errors.js';
import { requireAllowedOrigin } from '../../http/request-origin.js';
import type { AllowedOriginOptions } from '../../http/request-origin.js';
import type { RouteRegistrar } from '../../server/types.js';
import { CLOSE_CODES } from './close-codes.js';
import type { SessionDirectory, SessionRegistry } from './session-registry.js';
import type { TicketStore } from './tickets.js';

/** A route preHandler that lets only the local operator through (loopback + admin secret). */
export type AdminGuard = NonNullable<RouteShorthandOptions['preHandler']>;

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

/** POST /ws/ticket, and the admin endpoints behind `gatehouse sessions list|kill`. */
export function webRoutes(options: WebRoutesOptions): RouteRegistrar {
  return function registerWebRoutes(app: FastifyInstance) {
    const preHandler = requireAllowedOrigin(options.origins);
    app.post('/ws/ticket', { preHandler }, async (request, reply) => {
      rejectTokenInQuery(request.query);
      const principal = await options.authenticator(request.headers.authorization, SCOPE_WEB);
      const { ticket, expiresIn } = await options.tickets.issue(principal);
      void reply.header('cache-control', 'no-store');
      return { ticket, expires_in: expiresIn };
    });

    const { adminGuard } = options;
    if (adminGuard === undefined) return;
    const directory = options.directory ?? localDirectory(options.registry);
    app.get('/admin/sessions', { preHandler: adminGuard }, async () => ({
      sessions: await directory.list(),
    }));
    app.delete('/admin/sessions/:id', { preHandler: adminGuard }, async (request) => {
      const params = sessionParamsSchema.safeParse(request.params);
      if (!params.success) throw new GatewayError('SESSION_NOT_FOUND');
      const closed = await directory.kill(params.data.id);
      if (!closed) throw new GatewayError('SESSION_NOT_FOUND');
      return { killed: params.data.id };
    });
  };
}

/** The sessions of this instance only (the embedded default). */
export function localDirectory(registry: SessionRegistry): SessionDirectory {
  return {
    list: async () => registry.list(),
    kill: async (sessionId) => registry.close(sessionId, CLOSE_CODES.KILLED, 'killed by operator'),
  };
}
