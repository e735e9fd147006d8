import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { openSse, SSE_HEARTBEAT_MS } from './sse-writer.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** Serves one stream: `heartbeatMs`, then one event after `quietMs`, then the end. */
async function serve(heartbeatMs: number, quietMs: number): Promise<string> {
  app = Fastify();
  app.get('/stream', (_request, reply) => {
    void reply.header('x-content-type-options', 'nosniff');
    const sse = openSse(reply, { heartbeatMs });
    setTimeout(() => {
      sse.send('{"delta":"hi","seq":1}', { event: 'chunk', id: '1' });
      sse.end();
    }, quietMs);
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const response = await fetch(`${url}/stream`);
  expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
  // Headers set before the stream opened (security headers) are kept.
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  return response.text();
}

describe('openSse', () => {
  it('sends a comment line while nothing else is sent, then events with id and event lines', async () => {
    const text = await serve(40, 200);
    const [comments, event] = [
      text.split('\n\n').filter((frame) => frame === ': keep-alive'),
      text,
    ];
    expect(comments.length).toBeGreaterThanOrEqual(2);
    expect(event.endsWith('id: 1\nevent: chunk\ndata: {"delta":"hi","seq":1}\n\n')).toBe(true);
  });

  it('sends no comment when the heartbeat is off', async () => {
    expect(await serve(0, 100)).toBe('id: 1\nevent: chunk\ndata: {"delta":"hi","seq":1}\n\n');
  });

  it('sends the events of one tick in one write, in order, and the last ones with the end', async () => {
    app = Fastify();
    const writes: string[] = [];
    app.get('/stream', (_request, reply) => {
      const raw = reply.raw;
      const write = raw.write.bind(raw) as (chunk: string) => boolean;
      raw.write = ((chunk: string) => {
        writes.push(String(chunk));
        return write(chunk);
      }) as typeof raw.write;
      const sse = openSse(reply, { heartbeatMs: 0 });
      sse.send('1');
      sse.send('2', { event: 'chunk' });
      sse.send('3');
      setTimeout(() => {
        sse.send('4');
        setTimeout(() => {
          sse.send('5');
          sse.end();
          sse.send('6');
        }, 10);
      }, 10);
    });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const text = await (await fetch(`${url}/stream`)).text();
    expect(text).toBe('data: 1\n\nevent: chunk\ndata: 2\n\ndata: 3\n\ndata: 4\n\ndata: 5\n\n');
    // `end` hands its events to the response's end, not to a write of their own.
    expect(writes).toEqual(['data: 1\n\nevent: chunk\ndata: 2\n\ndata: 3\n\n', 'data: 4\n\n']);
  });

  it('defaults to a 15 s heartbeat', () => {
    expect(SSE_HEARTBEAT_MS).toBe(15_000);
  });
});
