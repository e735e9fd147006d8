import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerRawBody } from './raw-body.js';

const BODY_LIMIT = 64;

let app: FastifyInstance;

beforeEach(async () => {
  app = Fastify({ bodyLimit: BODY_LIMIT });
  registerRawBody(app);
  app.post('/echo', async (request) => ({
    bytes: request.rawBody.toString('base64'),
    body: Buffer.isBuffer(request.body),
  }));
  await app.ready();
});

afterEach(async () => {
  await app.close();
});

async function post(payload: Buffer | string, contentType?: string) {
  const headers: Record<string, string> =
    contentType === undefined ? {} : { 'content-type': contentType };
  return app.inject({ method: 'POST', url: '/echo', payload, headers });
}

describe('registerRawBody', () => {
  // Twice each: the framework looks up a named type's parser once and then remembers it.
  const cases: Array<[string, string | undefined, Buffer | string]> = [
    ['JSON, spacing and key order kept', 'application/json', '{ "b":1,\n  "a" : 2 }'],
    ['JSON with a charset parameter', 'application/json; charset=utf-8', '{"a":"é"}'],
    ['JSON in upper case', 'Application/JSON', '{"a":1}'],
    ['form data', 'application/x-www-form-urlencoded', 'a=1&b=%20'],
    ['plain text', 'text/plain', 'not json {'],
    ['an unknown type', 'application/x-gatehouse', Buffer.from([0, 255, 1])],
    ['bytes that are not UTF-8 under a JSON type', 'application/json', Buffer.from([0xff, 0xfe])],
  ];
  for (const [name, contentType, payload] of cases) {
    it(`keeps the exact bytes: ${name}`, async () => {
      for (let round = 0; round < 2; round += 1) {
        const response = await post(payload, contentType);
        expect(response.statusCode).toBe(200);
        expect(Buffer.from(response.json<{ bytes: string }>().bytes, 'base64')).toEqual(
          Buffer.from(payload),
        );
      }
    });
  }

  it('gives an empty buffer when there is no body', async () => {
    const response = await app.inject({ method: 'POST', url: '/echo' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ bytes: '', body: false });
  });

  for (const contentType of ['application/json', 'text/plain', 'application/x-gatehouse']) {
    it(`refuses a body over the limit (${contentType}) and accepts one at it`, async () => {
      expect((await post('x'.repeat(BODY_LIMIT + 1), contentType)).statusCode).toBe(413);
      expect((await post('x'.repeat(BODY_LIMIT), contentType)).statusCode).toBe(200);
    });
  }
});
