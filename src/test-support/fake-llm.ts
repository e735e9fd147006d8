import { createServer } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import * as z from 'zod';
import { anthropicWire } from './fake-llm-anthropic.js';
import { openAiWire } from './fake-llm-openai.js';
import type {
  FakeLlmFlavor,
  FakeLlmRequest,
  FakeLlmScript,
  FakeReply,
  FakeWire,
} from './fake-llm-types.js';

export type {
  FakeLlmError,
  FakeLlmFlavor,
  FakeLlmRequest,
  FakeLlmScript,
} from './fake-llm-types.js';

/** Options for startFakeLlm. */
export interface FakeLlmOptions {
  flavor: FakeLlmFlavor;
  /** Script for every request without a queued one (default `{}`: a normal reply). */
  defaultScript?: FakeLlmScript | ((request: FakeLlmRequest) => FakeLlmScript);
  /** Serve HTTPS with this key and certificate (PEM) instead of plain HTTP. */
  tls?: { key: string; cert: string };
}

/** A running fake LLM server on 127.0.0.1. */
export interface FakeLlm {
  readonly flavor: FakeLlmFlavor;
  /** API root to configure as `base_url` (`http://127.0.0.1:<port>/v1` for OpenAI). */
  readonly baseUrl: string;
  /** Every request received, in arrival order. */
  readonly requests: FakeLlmRequest[];
  /** Queues scripts for the next requests, in order; later requests use the default script. */
  enqueue(...scripts: FakeLlmScript[]): void;
  /** Resolves once at least `count` requests have arrived. */
  waitForRequests(count: number): Promise<FakeLlmRequest[]>;
  /** Closes every open connection and the server. */
  close(): Promise<void>;
}

const WIRES: Record<FakeLlmFlavor, FakeWire> = { openai: openAiWire, anthropic: anthropicWire };

const requestBodySchema = z.object({
  model: z.string().optional(),
  stream: z.boolean().optional(),
  messages: z.array(z.object({ role: z.string(), content: z.unknown() })).optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).optional(),
});

/** The default reply text of a fake for a given last user message. */
export function defaultFakeReply(flavor: FakeLlmFlavor, lastUserMessage: string): string {
  return `fake ${flavor}: ${lastUserMessage}`;
}

/** Starts a fake OpenAI-compatible or Anthropic server on 127.0.0.1, port 0. */
export async function startFakeLlm(options: FakeLlmOptions): Promise<FakeLlm> {
  const wire = WIRES[options.flavor];
  const requests: FakeLlmRequest[] = [];
  const queue: FakeLlmScript[] = [];
  const stoppers = new Set<AbortController>();
  const waiters: Array<() => void> = [];
  let closing = false;

  const scriptFor = (request: FakeLlmRequest): FakeLlmScript => {
    const queued = queue.shift();
    if (queued) return queued;
    const fallback = options.defaultScript ?? {};
    return typeof fallback === 'function' ? fallback(request) : fallback;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const stop = new AbortController();
    stoppers.add(stop);
    let closedByClient = false;
    let destroyedByFake = false;
    let markClosed = (): void => {};
    const clientClosed = new Promise<void>((resolve) => (markClosed = resolve));
    res.on('close', () => {
      stoppers.delete(stop);
      stop.abort();
      if (!res.writableFinished && !destroyedByFake && !closing) {
        closedByClient = true;
        markClosed();
      }
    });

    const raw = await readBody(req);
    const record: FakeLlmRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      body: parseJson(raw),
      clientClosed,
      get closedByClient() {
        return closedByClient;
      },
    };
    requests.push(record);
    waiters.splice(0).forEach((wake) => wake());

    const script = scriptFor(record);
    if (script.delayMs) await sleep(script.delayMs, undefined, { signal: stop.signal });
    if (req.method !== 'POST' || record.path.split('?')[0] !== wire.endpoint) {
      sendJson(res, 404, wire.errorBody({ status: 404 }));
      return;
    }
    if (script.error) {
      const retryAfter: Record<string, string> =
        script.error.status === 429 ? { 'retry-after': '1' } : {};
      sendJson(res, script.error.status, wire.errorBody(script.error), retryAfter);
      return;
    }
    const body = requestBodySchema.safeParse(record.body);
    const reply = buildReply(options.flavor, body.success ? body.data : {}, script);
    if (!body.success || body.data.stream !== true) {
      sendJson(res, 200, wire.replyBody(reply));
      return;
    }

    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    for (const frame of wire.streamOpen(reply)) await write(res, frame);
    for (const [index, text] of reply.chunks.entries()) {
      if (index === script.breakAfterChunks) break;
      if (index > 0 && script.chunkDelayMs) {
        await sleep(script.chunkDelayMs, undefined, { signal: stop.signal });
      }
      await write(res, wire.streamDelta(reply, text));
    }
    if (script.breakAfterChunks !== undefined) {
      destroyedByFake = true;
      res.socket?.destroy();
      return;
    }
    if (script.hang) return;
    if (script.streamError) {
      res.end(wire.streamError(script.streamError));
      return;
    }
    for (const frame of wire.streamClose(reply)) await write(res, frame);
    res.end(script.omitTerminator ? undefined : wire.streamTerminator());
  };

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch(() => {
      // Expected when the client went away mid-answer (aborted sleep, write after close).
      res.destroy();
    });
  };
  const server =
    options.tls === undefined ? createServer(listener) : createTlsServer(options.tls, listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    flavor: options.flavor,
    baseUrl: `${options.tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}${wire.basePath}`,
    requests,
    enqueue: (...scripts) => void queue.push(...scripts),
    waitForRequests: async (count) => {
      while (requests.length < count) await new Promise<void>((wake) => waiters.push(wake));
      return requests;
    },
    close: async () => {
      closing = true;
      for (const stop of stoppers) stop.abort();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Starts a fake OpenAI-compatible Chat Completions server. */
export function startFakeOpenAI(options: Omit<FakeLlmOptions, 'flavor'> = {}): Promise<FakeLlm> {
  return startFakeLlm({ ...options, flavor: 'openai' });
}

/** Starts a fake Anthropic Messages API server. */
export function startFakeAnthropic(options: Omit<FakeLlmOptions, 'flavor'> = {}): Promise<FakeLlm> {
  return startFakeLlm({ ...options, flavor: 'anthropic' });
}

function buildReply(
  flavor: FakeLlmFlavor,
  body: z.infer<typeof requestBodySchema>,
  script: FakeLlmScript,
): FakeReply {
  const messages = body.messages ?? [];
  const lastUser = messages.findLast((message) => message.role === 'user')?.content;
  const lastText = typeof lastUser === 'string' ? lastUser : JSON.stringify(lastUser ?? '');
  const text = script.text ?? script.chunks?.join('') ?? defaultFakeReply(flavor, lastText);
  const chunks = script.chunks ?? text.match(/\S+\s*|\s+/g) ?? [];
  const inputWords = messages
    .map((message) => (typeof message.content === 'string' ? message.content : ''))
    .join(' ')
    .match(/\S+/g);
  return {
    model: body.model ?? 'fake-model',
    text,
    chunks,
    usage: script.usage ?? { inputTokens: inputWords?.length ?? 0, outputTokens: chunks.length },
    includeUsage: body.stream_options?.include_usage === true,
  };
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** Resolves once the frame is handed to the socket, so a later destroy cannot drop it. */
function write(res: ServerResponse, frame: string): Promise<void> {
  return new Promise((resolve, reject) =>
    res.write(frame, (error) => (error ? reject(error) : resolve())),
  );
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    // Recorded as-is so a test can assert on a malformed request body.
    return raw;
  }
}
