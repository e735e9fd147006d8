import type { FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError } from '../errors.js';
import type { RouteTable } from './route-table.js';

/** Unknown path → 404; a known path with another method → 405 with `Allow`. */
export function createNotFoundHandler(
  routes: RouteTable,
): (request: FastifyRequest, reply: FastifyReply) => void {
  return function notFoundHandler(request, reply) {
    const allowed = routes.allowedMethods(request.url);
    if (allowed.length > 0) {
      reply.header('allow', allowed.join(', '));
      throw new GatewayError('METHOD_NOT_ALLOWED');
    }
    throw new GatewayError('NOT_FOUND');
  };
}
