import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { isRetryableLlmStatus, postJson } from './http-call.js';
import { readSseEvents } from './sse-stream.js';
import { ProviderError } from './types.js';

describe('postJson with a base_url that carries userinfo', () => {
  it.each([
    ['a long password', 'http://user:hunter2-long-secret@127.0.0.1:9/v1', 'hunter2-long-secret'],
    ['a short password', 'http://user:hunter2@127.0.0.1:9/v1', 'hunter2'],
    ['a percent-encoded password', 'http://user:p%40ssw0rd-xyz@127.0.0.1:9/v1', 'p%40ssw0rd'],
  ])('never puts %s into the error message', async (_name, url, password) => {
    const failure = postJson({
      provider: 'openai',
      url,
      headers: {},
      body: {},
      timeoutMs: 5_000,
      signal: new AbortController().signal,
      secrets: [],
    });
    const error: unknown = await failure.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProviderError);
    const message = (error as ProviderError).message;
    expect(message).toContain('openai request failed');
    expect(message).not.toContain(password);
  });
});

describe('isRetryableLlmStatus', () => {
  it.each([
    [408, true],
    [409, true],
    [429, true],
    [500, true],
    [529, true],
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [422, false],
  ])('treats %i as retryable: %s', (status, expected) => {
    expect(isRetryableLlmStatus(status)).toBe(expected);
  });
});

describe('postJson over node:http', () => {
  const call = (url: string, headers: Record<string, string> = {}) =>
    postJson({
      provider: 'openai',
      url,
      headers,
      body: { hello: 'upstream' },
      timeoutMs: 5_000,
      signal: new AbortController().signal,
      secrets: ['sk-secret-key-value'],
    });

  it('keeps the connection for the next call once an answer was read in full', async () => {
    const connections: Socket[] = [];
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () =>
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":1}'),
      );
    });
    server.on('connection', (socket) => connections.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat/completions`;
    try {
      expect(await (await call(url)).text()).toBe('{"ok":1}');
      expect(await (await call(url)).text()).toBe('{"ok":1}');
      expect(connections).toHaveLength(1);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('keeps the connection when a stream reader stops at its last event after the answer ended', async () => {
    const connections: Socket[] = [];
    const server = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: one\n\n');
      setTimeout(() => res.end('data: two\n\ndata: [DONE]\n\n'), 10);
    });
    server.on('connection', (socket) => connections.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat/completions`;
    try {
      for (let turn = 0; turn < 2; turn += 1) {
        for await (const event of readSseEvents(await call(url), 'openai')) {
          // A slow consumer that stops early: the rest of the answer, its end included, arrives
          // while it works on the first event and is never read by it.
          await new Promise((resolve) => setTimeout(resolve, 50));
          if (event.data === 'one') break;
        }
        // The socket goes back to the agent when the drained answer emits 'end', a tick later.
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(connections).toHaveLength(1);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('closes the connection of an answer released before its end', async () => {
    const server = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: first\n\n');
    });
    const closed = new Promise<void>((resolve) => {
      server.on('connection', (socket) => socket.on('close', () => resolve()));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat/completions`;
    try {
      const started = await call(url);
      started.release();
      await closed;
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it.each([
    ['another scheme', 'ftp://127.0.0.1:9/v1/chat/completions', {}, /ftp: URLs are not supported/],
    ['no URL at all', 'not a url', {}, /request failed/],
    [
      'a key that cannot be a header value',
      'http://127.0.0.1:9/v1/chat/completions',
      { authorization: 'Bearer sk-secret-key-value\r\nx-injected: 1' },
      /request failed/,
    ],
  ])('refuses %s before sending anything', async (_name, url, headers, message) => {
    const error: unknown = await call(url, headers).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).message).toMatch(message);
    expect((error as ProviderError).message).not.toContain('sk-secret-key-value');
  });
});
