import { createParser } from 'eventsource-parser';
import type { EventSourceMessage } from 'eventsource-parser';
import type { HttpCall } from './http-call.js';
import { ProviderError } from './types.js';
import { createUtf8ChunkDecoder } from './utf8-chunks.js';

/** One SSE event larger than this is treated as a broken upstream, not buffered forever. */
const MAX_SSE_BUFFER_CHARS = 1024 * 1024;

/** A parsed server-sent event (`event` is undefined when the server sent none). */
export type SseEvent = EventSourceMessage;

/**
 * Yields the server-sent events of a streaming response in order. Once the call is aborted or
 * timed out it throws that ProviderError instead of handing out events that were already
 * buffered; a failed read becomes a sanitized ProviderError.
 */
export async function* readSseEvents(call: HttpCall, provider: string): AsyncGenerator<SseEvent> {
  const queue: SseEvent[] = [];
  let parseFailure: string | undefined;
  const parser = createParser({
    onEvent: (event) => queue.push(event),
    onError: (error) => {
      if (error.type === 'max-buffer-size-exceeded') parseFailure = error.message;
      // Other parse errors (unknown fields, bad retry values) are ignorable per the SSE spec.
    },
    maxBufferSize: MAX_SSE_BUFFER_CHARS,
  });
  const chunks = call.body[Symbol.asyncIterator]();
  const decoder = createUtf8ChunkDecoder();

  try {
    for (;;) {
      call.throwIfStopped();
      const chunk = await chunks.next().catch((error: unknown) => {
        throw call.fail(error);
      });
      if (chunk.done === true) {
        parser.feed(decoder.end());
        parser.reset({ consume: true });
      } else {
        parser.feed(decoder.write(chunk.value));
      }
      if (parseFailure) {
        throw new ProviderError(`${provider} stream event too large`, { retryable: false });
      }
      while (queue.length > 0) {
        call.throwIfStopped();
        const event = queue.shift();
        if (event) yield event;
      }
      if (chunk.done === true) return;
    }
  } finally {
    call.release();
  }
}
