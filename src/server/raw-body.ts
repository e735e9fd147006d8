import type { FastifyInstance, FastifyRequest } from 'fastify';

const EMPTY_BODY: Buffer = Buffer.alloc(0);
const kRawBody = Symbol('gatehouse.rawBody');

type WithRawBody = FastifyRequest & { [kRawBody]?: Buffer };

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
  app.addContentTypeParser(
    '*',
    { parseAs: 'buffer' },
    function parseRawBody(request: FastifyRequest, body: Buffer, done) {
      request.rawBody = body;
      done(null, body);
    },
  );
}
