import { request as httpRequest } from 'node:http';
import type { Agent, ClientRequest, IncomingHttpHeaders } from 'node:http';
import type { Server, Socket } from 'node:net';

/** A request sent with node:http, so tests control Content-Length and chunking exactly. */
export interface RawRequest {
  port: number;
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  /** Sent with Content-Length. */
  body?: Buffer | string;
  /** Sent with Transfer-Encoding: chunked, one write per chunk (waiting for drain). */
  chunks?: Buffer[];
  agent?: Agent;
  /** Source address of the connection (any 127.x works on loopback), to act as another client. */
  localAddress?: string;
}

/** The parsed response. */
export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * Sends one request and resolves with the response. A server that answers early (413) and then
 * closes may reset the socket while chunks are still being written; once a response has arrived,
 * that reset is expected and ignored.
 */
export function sendRawRequest(options: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    let responded = false;
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: options.port,
        method: options.method ?? 'GET',
        path: options.path ?? '/',
        headers: options.headers,
        agent: options.agent ?? false,
        ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }),
      },
      (res) => {
        responded = true;
        const parts: Buffer[] = [];
        res.on('data', (chunk: Buffer) => parts.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(parts).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', (error) => {
      if (!responded) reject(error);
    });
    if (options.chunks !== undefined) {
      void writeChunks(req, options.chunks);
    } else {
      req.end(options.body);
    }
  });
}

async function writeChunks(req: ClientRequest, chunks: Buffer[]): Promise<void> {
  for (const chunk of chunks) {
    if (req.destroyed) return;
    if (!req.write(chunk)) {
      await new Promise<void>((resolve) => {
        req.once('drain', resolve);
        req.once('close', resolve);
      });
    }
  }
  if (!req.destroyed) req.end();
}

/** Everything the server sends on one socket until it closes it. */
export function readUntilClosed(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.once('close', () => resolve(received));
    socket.once('error', reject);
  });
}

/** The head (status line and lower-cased headers) and body of a response in raw HTTP text. */
export function parseRawResponse(text: string): {
  status: number;
  headers: Map<string, string>;
  body: string;
} {
  const [head = '', body = ''] = text.split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body };
}

/** Resolves once `server` has stopped listening (a graceful close has begun its drain), or after 5 s. */
export async function untilNotListening(server: Server): Promise<void> {
  for (let i = 0; i < 1000 && server.listening; i++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
