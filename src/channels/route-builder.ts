import type { FastifyInstance, RouteHandlerMethod } from 'fastify';
import { GatewayError } from '../errors.js';
import type { RouteRegistrar } from '../http/route-types.js';
import type { ChannelInstance, ChannelRoute } from './module.js';

/** Every path of a declared route: its own and its aliases. */
export function routePaths(route: ChannelRoute): string[] {
  return [route.path, ...route.aliases];
}

/** A channel's declared routes and, when it is on, their handlers. */
export interface ChannelRouting {
  routes: readonly ChannelRoute[];
  handlers: ChannelInstance['handlers'] | undefined;
}

const notConfigured: RouteHandlerMethod = async function channelNotConfigured() {
  throw new GatewayError('CHANNEL_NOT_CONFIGURED');
};

/**
 * Registers every declared HTTP route of every channel, under its path and each alias, with the
 * same handler. A route of a channel that is off (or that has no handler in its current mode,
 * like Telegram's webhook while polling) answers CHANNEL_NOT_CONFIGURED.
 */
export function channelRouteRegistrar(channels: readonly ChannelRouting[]): RouteRegistrar {
  return function registerChannelRoutes(app: FastifyInstance): void {
    for (const { routes, handlers } of channels) {
      for (const route of routes) {
        if (route.kind === 'upgrade') continue;
        const served = handlers?.[route.id];
        for (const url of routePaths(route)) {
          app.route({
            method: route.method,
            url,
            ...(route.errorShape === undefined ? {} : { config: { errorShape: route.errorShape } }),
            ...(served?.preHandler === undefined ? {} : { preHandler: served.preHandler }),
            handler: served?.handler ?? notConfigured,
          });
          // The plain lane serves POST only (its table is keyed by path).
          if (served?.plain !== undefined && route.method === 'POST') {
            app.plainRoutes?.add(url, served.plain, route.errorShape);
          }
        }
      }
    }
  };
}

/** The upgrade paths among declared routes (a WebSocket endpoint and its aliases). */
export function upgradePaths(routes: readonly ChannelRoute[]): string[] {
  return routes.filter((route) => route.kind === 'upgrade').flatMap(routePaths);
}
