import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { offerRequestsToLane } from './request-lane.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

describe('offerRequestsToLane', () => {
  it('offers each request to the lane first and the rest to the original listener', async () => {
    const server = createServer((_request, response) => response.end('framework'));
    servers.push(server);
    offerRequestsToLane(server, (request, response) => {
      if (request.url !== '/lane') return false;
      response.end('lane');
      return true;
    });
    expect(server.listenerCount('request')).toBe(1);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    expect(await (await fetch(`${base}/lane`)).text()).toBe('lane');
    expect(await (await fetch(`${base}/other`)).text()).toBe('framework');
  });

  it.each([0, 2])('refuses a server with %i request listeners', (count) => {
    const server = createServer();
    for (let i = 0; i < count; i += 1) server.on('request', () => undefined);
    expect(() => offerRequestsToLane(server, () => false)).toThrow(/request listener/);
  });
});
