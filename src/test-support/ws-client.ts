import { WebSocket } from 'ws';
import type { ClientOptions } from 'ws';

/** A connected test client that queues every received JSON frame. */
export interface TestWsClient {
  ws: WebSocket;
  /** The next frame not yet taken (waits for it). */
  next(): Promise<Record<string, unknown>>;
  send(frame: unknown): void;
  /** Resolves with the close code and reason. */
  closed: Promise<{ code: number; reason: string }>;
}

/** Outcome of an upgrade attempt: a client, or the HTTP status of the refused upgrade. */
export type ConnectResult =
  { ok: true; client: TestWsClient } | { ok: false; status: number; body: string };

/** Connects and resolves once open, or with the refusal's status (the `unexpected-response` event). */
export function connectWs(url: string, options: ClientOptions = {}): Promise<ConnectResult> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options);
    const frames: Array<Record<string, unknown>> = [];
    const waiters: Array<(frame: Record<string, unknown>) => void> = [];
    const closed = new Promise<{ code: number; reason: string }>((resolveClose) => {
      ws.on('close', (code, reason) => resolveClose({ code, reason: reason.toString('utf8') }));
    });
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Record<string, unknown>;
      const waiter = waiters.shift();
      if (waiter === undefined) frames.push(frame);
      else waiter(frame);
    });
    ws.once('open', () => {
      resolve({
        ok: true,
        client: {
          ws,
          closed,
          send: (frame) => ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
          next: () =>
            new Promise((resolveFrame) => {
              const frame = frames.shift();
              if (frame === undefined) waiters.push(resolveFrame);
              else resolveFrame(frame);
            }),
        },
      });
    });
    ws.once('unexpected-response', (_request, response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => resolve({ ok: false, status: response.statusCode ?? 0, body }));
      response.on('error', reject);
    });
    // Refusals arrive as 'unexpected-response'; any other error (reset, refused) fails the attempt.
    // The listener stays so a later socket error is a no-op, not an unhandled 'error' event.
    ws.on('error', reject);
  });
}

/** Connects and throws unless the upgrade succeeded. */
export async function connectOk(url: string, options: ClientOptions = {}): Promise<TestWsClient> {
  const result = await connectWs(url, options);
  if (!result.ok) throw new Error(`upgrade refused with ${result.status}: ${result.body}`);
  return result.client;
}
