import { connect } from 'node:net';
import type { Socket } from 'node:net';

/** A raw client socket and what happened to it. */
export interface SlowSocket {
  socket: Socket;
  /** Everything the server wrote. */
  received(): string;
  /** Whether the socket is closed (by either side). */
  closed(): boolean;
  /** Epoch ms when it closed. */
  closedAt(): number | undefined;
}

/** Options for openSlowSocket. */
export interface SlowSocketOptions {
  port: number;
  /** Source address on the loopback network (127.0.0.2, 127.0.0.3…): another "client". */
  localAddress?: string;
  /** Written once connected; omitted: the socket stays silent. */
  initial?: string;
}

/**
 * Opens a socket that sends `initial` (e.g. headers promising a body) and then nothing — what a
 * slow-body flood looks like to the server. Resolves once connected, or once closed if the
 * server refuses it at once.
 */
export function openSlowSocket(options: SlowSocketOptions): Promise<SlowSocket> {
  return new Promise((resolve) => {
    let data = '';
    let closedAt: number | undefined;
    const socket = connect({
      host: '127.0.0.1',
      port: options.port,
      ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }),
    });
    const handle: SlowSocket = {
      socket,
      received: () => data,
      closed: () => closedAt !== undefined,
      closedAt: () => closedAt,
    };
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      data += chunk;
    });
    // Resets are how refused sockets end; the test reads `closed()` instead.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closedAt = Date.now();
      resolve(handle);
    });
    socket.on('connect', () => {
      if (options.initial !== undefined) socket.write(options.initial);
      resolve(handle);
    });
  });
}

/** Headers of a POST promising `length` body bytes, plus the first byte of that body. */
export function slowBodyStart(path: string, length = 1000): string {
  return `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n{`;
}
