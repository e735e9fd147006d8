import { connect, createServer, type Server, type Socket } from 'node:net';

/*
 * A round-robin TCP balancer for cluster tests: each accepted connection is piped to the next
 * backend in turn (one that refuses is skipped), as a layer-4 load balancer would. Clients that
 * want a request to land on the next instance open a new connection per request.
 */

/** A running balancer. */
export interface TcpBalancer {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  port: number;
  /** How many connections each backend received. */
  counts(): number[];
  close(): Promise<void>;
}

/** Starts a balancer over `backends` (ports on 127.0.0.1). */
export async function startTcpBalancer(backends: readonly number[]): Promise<TcpBalancer> {
  let next = 0;
  const counts = backends.map(() => 0);
  const sockets = new Set<Socket>();

  const pipeTo = (client: Socket, attempt: number): void => {
    if (attempt >= backends.length) {
      client.destroy();
      return;
    }
    const index = next;
    next = (next + 1) % backends.length;
    const upstream = connect({ host: '127.0.0.1', port: backends[index] as number });
    let connected = false;
    sockets.add(upstream);
    upstream.once('connect', () => {
      connected = true;
      counts[index] = (counts[index] ?? 0) + 1;
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
    upstream.on('error', () => {
      // A backend that is down (a killed instance): nothing was sent yet, so try the next one.
      if (!connected) pipeTo(client, attempt + 1);
    });
    upstream.once('close', () => {
      sockets.delete(upstream);
      if (connected) client.end();
    });
    client.once('close', () => upstream.destroy());
  };

  const server: Server = createServer({ pauseOnConnect: true }, (client) => {
    sockets.add(client);
    client.on('error', () => undefined);
    client.once('close', () => sockets.delete(client));
    pipeTo(client, 0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    counts: () => [...counts],
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
