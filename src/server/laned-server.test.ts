import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { lanedServerFactory } from './laned-server.js';
import type { Server } from 'node:http';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

describe('lanedServerFactory', () => {
  it("offers each request to the lane first and the rest to the framework's handler", async () => {
    const create = lanedServerFactory((request, response) => {
      if (request.url !== '/lane') return false;
      response.end('lane');
      return true;
    });
    const server = create((_request, response) => response.end('framework'), {
      keepAliveTimeout: 1234,
      requestTimeout: 5678,
      connectionTimeout: 0,
      maxRequestsPerSocket: 7,
      http: { headersTimeout: 4321 },
    });
    servers.push(server);
    expect(server.keepAliveTimeout).toBe(1234);
    expect(server.requestTimeout).toBe(5678);
    expect(server.headersTimeout).toBe(4321);
    expect(server.maxRequestsPerSocket).toBe(7);
    expect(server.timeout).toBe(0);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    expect(await (await fetch(`${base}/lane`)).text()).toBe('lane');
    expect(await (await fetch(`${base}/other`)).text()).toBe('framework');
  });
});
