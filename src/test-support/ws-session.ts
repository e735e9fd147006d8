import type { ClientOptions } from 'ws';
import { connectOk } from './ws-client.js';
import type { TestWsClient } from './ws-client.js';

/** Rejects with `what` when `promise` has not settled within `ms` (a clearer failure than the test timeout). */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A connected client whose `ready` frame has been read. */
export interface OpenSession {
  client: TestWsClient;
  sessionId: string;
}

/** Connects to `url` and reads the `ready` frame. */
export async function openSession(url: string, options: ClientOptions = {}): Promise<OpenSession> {
  const client = await connectOk(url, options);
  const ready = await within(client.next(), 5000, 'the ready frame');
  if (ready.type !== 'ready' || typeof ready.session_id !== 'string') {
    throw new Error(`expected a ready frame, got ${JSON.stringify(ready)}`);
  }
  return { client, sessionId: ready.session_id };
}

/** The chunk deltas of message `id`, in arrival order, and its `done` frame. */
export interface StreamedReply {
  deltas: string[];
  done: Record<string, unknown>;
}

/** Reads frames until `done` for `id`; any other frame (an error, another id) fails. */
export async function readReply(client: TestWsClient, id: string): Promise<StreamedReply> {
  const deltas: string[] = [];
  for (;;) {
    const frame = await within(client.next(), 10_000, `a frame of message ${id}`);
    if (frame.type === 'chunk' && frame.id === id && typeof frame.delta === 'string') {
      deltas.push(frame.delta);
    } else if (frame.type === 'done' && frame.id === id) {
      return { deltas, done: frame };
    } else {
      throw new Error(`unexpected frame while reading ${id}: ${JSON.stringify(frame)}`);
    }
  }
}

/** Sends a message frame and reads its streamed reply. */
export function ask(client: TestWsClient, id: string, text: string): Promise<StreamedReply> {
  client.send({ type: 'message', id, text });
  return readReply(client, id);
}
