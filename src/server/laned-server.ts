import { createServer, type Server, type ServerOptions } from 'node:http';
import type { FastifyServerFactoryHandler } from 'fastify';
import type { RequestLane } from './probe-lane.js';

/** The settings the framework gives its HTTP/1 server when it creates the server itself. */
interface FrameworkServerOptions {
  http?: ServerOptions | null;
  keepAliveTimeout: number;
  requestTimeout: number;
  connectionTimeout: number;
  maxRequestsPerSocket?: number | null;
}

/**
 * The framework's server factory with a lane in front: each request is offered to `lane` first
 * and goes to the framework's handler only if the lane leaves it. The server is set up exactly
 * as the framework sets up its own (same timeouts and limits).
 */
export function lanedServerFactory(lane: RequestLane) {
  return function createLanedServer(
    handler: FastifyServerFactoryHandler,
    options: Record<string, unknown>,
  ): Server {
    const settings = options as unknown as FrameworkServerOptions;
    const server = createServer(settings.http ?? {}, function offerToLane(request, response) {
      if (!lane(request, response)) handler(request, response);
    });
    server.keepAliveTimeout = settings.keepAliveTimeout;
    server.requestTimeout = settings.requestTimeout;
    server.setTimeout(settings.connectionTimeout);
    const { maxRequestsPerSocket } = settings;
    if (typeof maxRequestsPerSocket === 'number' && maxRequestsPerSocket > 0) {
      server.maxRequestsPerSocket = maxRequestsPerSocket;
    }
    return server;
  };
}
