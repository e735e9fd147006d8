import type { IncomingHttpHeaders } from 'node:http';

/** Which vendor wire format a fake LLM server speaks. */
export type FakeLlmFlavor = 'openai' | 'anthropic';

/** An HTTP error the fake answers with, in the flavor's real error body shape. */
export interface FakeLlmError {
  status: number;
  /** Upstream message (default: a realistic one for the status). */
  message?: string;
  /** Upstream error type, e.g. "invalid_request_error" or "overloaded_error". */
  type?: string;
  /** OpenAI-style code, e.g. "invalid_api_key" (ignored by the Anthropic flavor). */
  code?: string;
}

/** How the fake answers one request. Every field is optional; `{}` is a normal reply. */
export interface FakeLlmScript {
  /** Reply text (default: `fake <flavor>: <last user message>`). */
  text?: string;
  /** Stream deltas in order (default: the text split word by word, spaces kept). */
  chunks?: string[];
  /** Milliseconds to wait before sending the response headers (timeout tests). */
  delayMs?: number;
  /** Milliseconds to wait between stream chunks. */
  chunkDelayMs?: number;
  /** Answer with this HTTP status and the vendor's error body instead of a reply. */
  error?: FakeLlmError;
  /** Streams only: destroy the socket after this many text chunks (a connection that breaks). */
  breakAfterChunks?: number;
  /** Streams only: after the text chunks keep the connection open forever (abort tests). */
  hang?: boolean;
  /** Streams only: send the vendor's in-stream error event after the text chunks, then end. */
  streamError?: { message: string; type?: string };
  /** Streams only: end the response cleanly but omit the terminator ([DONE] / message_stop). */
  omitTerminator?: boolean;
  /** Token usage to report (default: word counts). */
  usage?: { inputTokens: number; outputTokens: number };
}

/** One request the fake received. */
export interface FakeLlmRequest {
  method: string;
  /** Path including any query string, e.g. "/v1/chat/completions". */
  path: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body (the raw string when it was not JSON). */
  body: unknown;
  /** Resolves when the client closed the connection before the fake finished its answer. */
  clientClosed: Promise<void>;
  /** True once `clientClosed` has resolved. */
  readonly closedByClient: boolean;
}

/** A reply the wire format module turns into bytes. */
export interface FakeReply {
  model: string;
  text: string;
  chunks: string[];
  usage: { inputTokens: number; outputTokens: number };
  /** OpenAI only: whether the request asked for a usage chunk. */
  includeUsage: boolean;
}

/** The vendor-specific half of a fake: paths, JSON bodies and SSE frames. */
export interface FakeWire {
  /** Path of the endpoint, e.g. "/v1/chat/completions". */
  readonly endpoint: string;
  /** Suffix of the API root that clients configure as base_url ("/v1" for OpenAI, "" for Anthropic). */
  readonly basePath: string;
  replyBody(reply: FakeReply): unknown;
  errorBody(error: FakeLlmError): unknown;
  /** SSE frames sent before the first text chunk. */
  streamOpen(reply: FakeReply): string[];
  streamDelta(reply: FakeReply, text: string): string;
  /** SSE frames after the last text chunk, before the terminator (finish reason, usage). */
  streamClose(reply: FakeReply): string[];
  streamTerminator(): string;
  streamError(error: { message: string; type?: string }): string;
}

/** Formats one server-sent event. */
export function sseFrame(data: unknown, event?: string): string {
  const payload = typeof data === 'string' ? data : JSON.stringify(data);
  return `${event ? `event: ${event}\n` : ''}data: ${payload}\n\n`;
}
