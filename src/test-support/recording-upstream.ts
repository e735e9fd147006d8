import { createServer } from 'node:http';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

/*
 * Stands where the gateway would, behind a reverse proxy under test, and reports what the proxy
 * sent: every request's headers and TCP peer, answered as JSON (over HTTP, or as the first frame
 * of a WebSocket). `GET /stream` answers a server-sent event stream that stays open until
 * `release()`, so a test can see whether the proxy passes the first event on before the end.
 */

/** What the upstream saw of one request. */
export interface SeenRequest {
  method: string;
  url: string;
  peer: string | undefined;
  headers: IncomingHttpHeaders;
}

export interface RecordingUpstream {
  port: number;
  /** Ends every open `/stream` response. */
  release(): void;
  close(): Promise<void>;
}

/** The first event of `/stream`, sent at once; the second is sent on `release()`. */
export const FIRST_EVENT = 'data: first\n\n';
export const LAST_EVENT = 'data: last\n\n';

export async function startRecordingUpstream(): Promise<RecordingUpstream> {
  const streams = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const seen: SeenRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      peer: req.socket.remoteAddress,
      headers: req.headers,
    };
    if (req.url === '/stream') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write(FIRST_EVENT);
      streams.add(res);
      return;
    }
    // Drains the body so a POST is answered after it was fully forwarded.
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(seen));
    });
  });
  const sockets = new WebSocketServer({ server });
  sockets.on('connection', (socket, req) => {
    const seen: SeenRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      peer: req.socket.remoteAddress,
      headers: req.headers,
    };
    socket.send(JSON.stringify(seen));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    release() {
      for (const res of streams) res.end(LAST_EVENT);
      streams.clear();
    },
    async close() {
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
