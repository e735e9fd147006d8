import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import type { PlainRoute } from '../http/route-types.js';
import { PlainRouteTable } from '../server/plain-lane.js';
import type { ChannelRoute } from './module.js';
import { channelRouteRegistrar } from './route-builder.js';

const plain: PlainRoute = { admits: () => true, answer: async () => ({ ok: true }) };
const handler = async () => ({ framework: true });

function route(id: string, method: ChannelRoute['method'], path: string, extra = {}): ChannelRoute {
  return { id, method, path, aliases: [`${path}/alias`], ...extra };
}

describe('channelRouteRegistrar and the plain lane', () => {
  it('adds a POST route that declares a plain handler under its path and aliases, with its error shape', async () => {
    const app = Fastify();
    const table = new PlainRouteTable();
    app.decorate('plainRoutes', table);
    await channelRouteRegistrar([
      {
        routes: [
          route('post', 'POST', '/p', { errorShape: 'openai' }),
          route('bare', 'POST', '/q'),
        ],
        handlers: { post: { handler, plain }, bare: { handler } },
      },
    ])(app);
    expect(table.get('/p')).toEqual({ route: plain, path: '/p', errorShape: 'openai' });
    expect(table.get('/p/alias')).toEqual({ route: plain, path: '/p/alias', errorShape: 'openai' });
    expect(table.get('/q')).toBeUndefined();
    await app.close();
  });

  it.each(['GET', 'DELETE'] as const)(
    'never adds a %s route: the lane answers POST only',
    async (method) => {
      const app = Fastify();
      const table = new PlainRouteTable();
      app.decorate('plainRoutes', table);
      await channelRouteRegistrar([
        { routes: [route('r', method, '/r')], handlers: { r: { handler, plain } } },
      ])(app);
      expect(table.get('/r')).toBeUndefined();
      expect(table.get('/r/alias')).toBeUndefined();
      await app.close();
    },
  );

  it('adds nothing for a channel that is off, and needs no table on an app without one', async () => {
    const app = Fastify();
    const table = new PlainRouteTable();
    app.decorate('plainRoutes', table);
    await channelRouteRegistrar([{ routes: [route('r', 'POST', '/r')], handlers: undefined }])(app);
    expect(table.get('/r')).toBeUndefined();
    const bare = Fastify();
    await channelRouteRegistrar([
      { routes: [route('r', 'POST', '/r')], handlers: { r: { handler, plain } } },
    ])(bare);
    expect(bare.hasRoute({ method: 'POST', url: '/r' })).toBe(true);
    await Promise.all([app.close(), bare.close()]);
  });
});
