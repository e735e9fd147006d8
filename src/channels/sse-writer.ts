import type { OutgoingHttpHeaders } from 'node:http';
import type { FastifyReply } from 'fastify';

/** A comment line every 15 s while nothing else is sent keeps proxies' idle timeouts from firing. */
export const SSE_HEARTBEAT_MS = 15_000;

export interface SseWriterOptions {
  /** Interval of the keep-alive comment line; 0 disables it. */
  heartbeatMs?: number;
}

/** A server-sent events response (text/event-stream) written on the raw socket. */
export interface SseWriter {
  /** Writes one event; `data` is sent as one `data:` line (JSON never contains a newline). */
  send(data: string, options?: { event?: string; id?: string }): void;
  /** Ends the stream (idempotent). */
  end(): void;
  /** True once the client went away or `end` was called. */
  readonly closed: boolean;
}

/**
 * Takes the response over from Fastify and opens an event stream. The headers Fastify would have
 * sent (security headers, request id) are kept; buffering proxies are told not to buffer.
 */
export function openSse(reply: FastifyReply, options: SseWriterOptions = {}): SseWriter {
  const heartbeatMs = options.heartbeatMs ?? SSE_HEARTBEAT_MS;
  const raw = reply.raw;
  reply.hijack();
  raw.writeHead(200, {
    ...(reply.getHeaders() as OutgoingHttpHeaders),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    'x-accel-buffering': 'no',
  });
  let closed = false;
  let lastWrite = Date.now();
  // Events written in one tick (several deltas out of one upstream read) leave in one write:
  // each `write` of a chunked response frames its chunk and goes through the stream machinery.
  let pending = '';
  const flush = (): void => {
    if (closed || pending === '') return;
    const text = pending;
    pending = '';
    raw.write(text);
  };
  const write = (text: string): void => {
    if (closed) return;
    lastWrite = Date.now();
    if (pending === '') process.nextTick(flush);
    pending += text;
  };
  const timer =
    heartbeatMs > 0
      ? setInterval(() => {
          if (Date.now() - lastWrite >= heartbeatMs - 5) write(': keep-alive\n\n');
        }, heartbeatMs)
      : undefined;
  const stop = (): void => {
    closed = true;
    pending = '';
    clearInterval(timer);
  };
  raw.once('close', stop);
  return {
    send(data, sendOptions = {}) {
      let frame = '';
      if (sendOptions.id !== undefined) frame += `id: ${sendOptions.id}\n`;
      if (sendOptions.event !== undefined) frame += `event: ${sendOptions.event}\n`;
      write(`${frame}data: ${data}\n\n`);
    },
    end() {
      if (closed) return;
      const text = pending;
      stop();
      raw.end(text);
    },
    get closed() {
      return closed;
    },
  };
}
