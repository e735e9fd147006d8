import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a fake platform API received. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  rawBody: string;
  /** The JSON body, or undefined when it was not JSON. */
  body: unknown;
}

/** What a fake answers: status, JSON body and optional headers. */
export interface FakeAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** A fake API's route handler; may wait (long polling) and sees the response for aborts. */
export type FakeHandler = (
  request: RecordedRequest,
  response: ServerResponse,
) => Promise<FakeAnswer>;

/** A small real HTTP server on 127.0.0.1 that records every request. */
export interface FakeApiServer {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:53124. */
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Resolves once `count` recorded requests match `filter` (rejects after `timeoutMs`). */
  waitForRequests(
    count: number,
    filter?: (request: RecordedRequest) => boolean,
    timeoutMs?: number,
  ): Promise<RecordedRequest[]>;
  close(): Promise<void>;
}

/** Starts a recording server on an ephemeral loopback port. */
export async function startFakeApiServer(handler: FakeHandler): Promise<FakeApiServer> {
  const requests: RecordedRequest[] = [];
  const waiters = new Set<() => void>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: req.headers,
        rawBody,
        body: parseJson(rawBody),
      };
      requests.push(recorded);
      for (const wake of waiters) wake();
      void answer(handler, recorded, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    waitForRequests(count, filter = () => true, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const matching = requests.filter(filter);
          if (matching.length >= count) {
            cleanup();
            resolve(matching);
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`fake API saw ${requests.filter(filter).length} of ${count} requests`));
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}

async function answer(
  handler: FakeHandler,
  request: RecordedRequest,
  res: ServerResponse,
): Promise<void> {
  try {
    const result = await handler(request, res);
    if (res.destroyed) return;
    res.writeHead(result.status, { 'content-type': 'application/json', ...result.headers });
    res.end(JSON.stringify(result.body));
  } catch (error) {
    if (res.destroyed) return;
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end(error instanceof Error ? error.message : 'fake failed');
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Bodies that are not JSON are still recorded as rawBody.
    return undefined;
  }
}

/** A scripted "lost answer": the platform takes the call, then never answers (a crash test kills the caller). */
export interface HangFailure {
  hang: true;
}

/** An answer that never comes. */
export function neverAnswer(): Promise<FakeAnswer> {
  return new Promise(() => undefined);
}

/** A queue of scripted failures: the next N calls answer with the given failure. */
export class FailureScript<F> {
  readonly #queue: Array<F | undefined> = [];

  /** Lets the next `count` calls succeed before any failure added after this. */
  pass(count: number): void {
    for (let i = 0; i < count; i += 1) this.#queue.push(undefined);
  }

  /** Makes the next `count` calls fail with `failure`. */
  add(count: number, failure: F): void {
    for (let i = 0; i < count; i += 1) this.#queue.push(failure);
  }

  /** Drops every failure not yet taken (the platform recovered). */
  clear(): void {
    this.#queue.length = 0;
  }

  /** Takes the next scripted failure, if any. */
  take(): F | undefined {
    return this.#queue.shift();
  }
}
