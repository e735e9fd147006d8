import type { FastifyInstance, FastifyRequest } from 'fastify';

const EMPTY_BODY: Buffer = Buffer.alloc(0);
const kRawBody = Symbol('gatehouse.rawBody');

type WithRawBody = FastifyRequest & { [kRawBody]?: Buffer };

/**
 * Media types registered by name as well as under the catch-all. The framework remembers the
 * parser it found for a Content-Type only when it was found by name; the catch-all is looked up
 * again (the header parsed again) on every request. Same parser, same limits: only the lookup
 * differs.
 */
const NAMED_TYPES = ['application/json'] as const;

/**
 * Every content type is read as exact bytes into `request.rawBody` (capped by Fastify's
 * `bodyLimit`, also for chunked bodies). Routes parse JSON themselves: webhook signatures are
 * computed over the received bytes, never over a re-serialization.
 */
export function registerRawBody(app: FastifyInstance): void {
  app.decorateRequest('rawBody', {
    getter(this: FastifyRequest): Buffer {
      return (this as WithRawBody)[kRawBody] ?? EMPTY_BODY;
    },
    setter(this: FastifyRequest, value: Buffer): void {
      (this as WithRawBody)[kRawBody] = value;
    },
  });
  app.removeAllContentTypeParsers();
  for (const type of ['*', ...NAMED_TYPES]) {
    app.addContentTypeParser(type, { parseAs: 'buffer' }, parseRawBody);
  }
}

function parseRawBody(
  request: FastifyRequest,
  body: Buffer,
  done: (error: Error | null, body?: unknown) => void,
): void {
  request.rawBody = body;
  done(null, body);
}
