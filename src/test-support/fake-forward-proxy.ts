import { vi } from 'vitest';
import { createServer, request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import type { Socket } from 'node:net';

/** One request a forward proxy received. */
export interface ProxyVisit {
  /** `CONNECT` for a tunnel, otherwise the forwarded request's method. */
  method: string;
  /** `host:port` for a tunnel, the absolute URL for a forwarded request. */
  target: string;
  proxyAuthorization: string | undefined;
}

/** A forward proxy on 127.0.0.1: CONNECT tunnels and absolute-form HTTP requests, as squid does. */
export interface FakeForwardProxy {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly visits: ProxyVisit[];
  /** Connections open right now, from clients and to upstreams. */
  openConnections(): number;
  close(): Promise<void>;
}

export interface FakeForwardProxyOptions {
  /** When set, requests without `Proxy-Authorization: Basic base64(user:password)` get 407. */
  credentials?: { user: string; password: string };
  /** Answers every CONNECT with these raw bytes and closes, instead of opening the tunnel. */
  connectAnswer?: string;
  /** Leaves every CONNECT unanswered: the socket stays open until the client or the proxy closes it. */
  holdConnect?: boolean;
}

const REFUSED =
  'HTTP/1.1 407 Proxy Authentication Required\r\n' +
  'Proxy-Authenticate: Basic realm="fake"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n';

/** Starts the proxy on port 0. */
export async function startFakeForwardProxy(
  options: FakeForwardProxyOptions = {},
): Promise<FakeForwardProxy> {
  const visits: ProxyVisit[] = [];
  const sockets = new Set<Socket>();
  const expected =
    options.credentials === undefined
      ? undefined
      : `Basic ${Buffer.from(`${options.credentials.user}:${options.credentials.password}`).toString('base64')}`;
  const admitted = (headers: IncomingHttpHeaders): boolean =>
    expected === undefined || headers['proxy-authorization'] === expected;
  const record = (method: string, target: string, headers: IncomingHttpHeaders): void => {
    visits.push({ method, target, proxyAuthorization: headers['proxy-authorization'] });
  };

  const server = createServer((req, res) => {
    const target = req.url ?? '';
    record(req.method ?? '', target, req.headers);
    if (!admitted(req.headers)) {
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="fake"' }).end();
      return;
    }
    const { 'proxy-authorization': _auth, 'proxy-connection': _conn, ...headers } = req.headers;
    const upstream = httpRequest(new URL(target), { method: req.method, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('connect', (req, client: Socket, head: Buffer) => {
    const target = req.url ?? '';
    record('CONNECT', target, req.headers);
    // Detached from the HTTP parser: a reset from the client must not become an uncaught error.
    client.on('error', () => undefined);
    if (!admitted(req.headers)) {
      client.end(REFUSED);
      return;
    }
    if (options.connectAnswer !== undefined) {
      client.end(options.connectAnswer);
      return;
    }
    if (options.holdConnect === true) {
      // Server sockets stay half-open after the client's FIN; a proxy closes its side then.
      client.once('end', () => client.destroy());
      return;
    }
    const separator = target.lastIndexOf(':');
    const upstream = connect(Number(target.slice(separator + 1)), target.slice(0, separator));
    sockets.add(upstream);
    upstream.once('close', () => sockets.delete(upstream));
    upstream.once('connect', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    visits,
    openConnections: () => sockets.size,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Every variable the proxy route reads, in both cases. */
const PROXY_VARIABLES = ['HTTPS_PROXY', 'HTTP_PROXY', 'ALL_PROXY', 'NO_PROXY'].flatMap((name) => [
  name,
  name.toLowerCase(),
]);

/**
 * Sets exactly `env` among the proxy variables for the running test (the others empty, which
 * counts as unset); undo with `vi.unstubAllEnvs()`.
 */
export function stubProxyEnv(env: Record<string, string>): void {
  for (const name of PROXY_VARIABLES) vi.stubEnv(name, env[name] ?? '');
}
