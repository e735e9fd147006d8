import type { FastifyInstance, RouteShorthandOptions } from 'fastify';
import { z } from 'zod';
import type { Authenticate } from '../../auth/authenticate.js';
import { rejectTokenInQuery } from '../../auth/bearer.js';
import { SCOPE_WEB } from '../../auth/scopes.js';
import { GatewayError } from '../../errors.js';
import type { RouteRegistrar } from '../../http/route-types.js';
import { CLOSE_CODES } from './close-codes.js';
import type { SessionRegistry } from './session-registry.js';
import type { TicketStore } from './tickets.js';

/** A route preHandler that lets only the local operator through (loopback + admin secret). */
export type AdminGuard = NonNullable<RouteShorthandOptions['preHandler']>;

export interface WebRoutesOptions {
  authenticator: Authenticate;
  tickets: TicketStore;
  registry: SessionRegistry;
  /** Without it the admin session endpoints are not registered at all (fail closed). */
  adminGuard?: AdminGuard;
}

const sessionParamsSchema = z.strictObject({ id: z.uuid() });

/** POST /ws/ticket, and the admin endpoints behind `gatehouse sessions list|kill`. */
export function webRoutes(options: WebRoutesOptions): RouteRegistrar {
  return function registerWebRoutes(app: FastifyInstance) {
    app.post('/ws/ticket', async (request, reply) => {
      rejectTokenInQuery(request.query);
      const principal = await options.authenticator(request.headers.authorization, SCOPE_WEB);
      const { ticket, expiresIn } = await options.tickets.issue(principal);
      void reply.header('cache-control', 'no-store');
      return { ticket, expires_in: expiresIn };
    });

    const { adminGuard } = options;
    if (adminGuard === undefined) return;
    app.get('/admin/sessions', { preHandler: adminGuard }, async () => ({
      sessions: options.registry.list(),
    }));
    app.delete('/admin/sessions/:id', { preHandler: adminGuard }, async (request) => {
      const params = sessionParamsSchema.safeParse(request.params);
      if (!params.success) throw new GatewayError('SESSION_NOT_FOUND');
      const closed = options.registry.close(
        params.data.id,
        CLOSE_CODES.KILLED,
        'killed by operator',
      );
      if (!closed) throw new GatewayError('SESSION_NOT_FOUND');
      return { killed: params.data.id };
    });
  };
}
