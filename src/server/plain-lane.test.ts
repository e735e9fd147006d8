import { EventEmitter, once } from 'node:events';
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { CancelSignal } from '../core/cancel-signal.js';
import { GatewayError, isGatewayError } from '../errors.js';
import type { PlainRequest, PlainRoute } from '../http/route-types.js';
import { SECURITY_HEADERS } from '../http/security-headers.js';
import { sendRawRequest, type RawRequest, type RawResponse } from '../test-support/raw-http.js';
import { gatewayErrorAnswer, type RequestErrorReport } from './error-handler.js';
import { limitRequestsPerClient } from './guards/requests-per-client.js';
import { AnswerBatch, type BatchTurn } from './answer-batch.js';
import { createPlainLane, isPlainPost, PlainRouteTable } from './plain-lane.js';
import type { AnsweredRequest } from './request-lane.js';

/** `{"text":"héllo"}`: 17 bytes, one of them outside ASCII, so a re-encoded body would differ. */
const BODY = Buffer.from('{"text":"h\u00e9llo"}', 'utf8');
const JSON_HEADERS = { 'content-type': 'application/json', 'content-length': String(BODY.length) };
/** What the stand-in for the framework answers with, so a test can tell which path answered. */
const FALLBACK_STATUS = 299;
const MAX_BODY_BYTES = 1024;
/** For tests that wait on events: a missing event fails fast instead of at the suite's limit. */
const EVENT_TIMEOUT_MS = 5_000;

describe('isPlainPost', () => {
  type Input = Parameters<typeof isPlainPost>[0];
  /** A JSON POST declaring 17 bytes, changed by `headers` (an undefined value removes one). */
  const post = (headers: IncomingHttpHeaders = {}, method?: string): Input => {
    const merged: IncomingHttpHeaders = {
      'content-type': 'application/json',
      'content-length': '17',
      ...headers,
    };
    for (const name of Object.keys(merged)) if (merged[name] === undefined) delete merged[name];
    return { method: method ?? 'POST', headers: merged };
  };
  const type = (value: string) => post({ 'content-type': value });
  const length = (value: string) => post({ 'content-length': value });
  // 16 digits: below it, only the digit count can refuse a length.
  const SAFE_MAX = Number.MAX_SAFE_INTEGER;

  it.each<[name: string, accepted: boolean, request: Input, maxBodyBytes?: number]>([
    ['a JSON POST of declared length', true, post()],
    ['application/json; charset=utf-8', true, type('application/json; charset=utf-8')],
    ['application/json; charset=UTF-8', true, type('application/json; charset=UTF-8')],
    ['Application/JSON', true, type('Application/JSON')],
    ['a length equal to the limit', true, length(String(MAX_BODY_BYTES))],
    ['a 15-digit length', true, length('999999999999999'), SAFE_MAX],
    ['GET', false, post({}, 'GET')],
    ['PUT', false, post({}, 'PUT')],
    ['no method', false, { headers: post().headers }],
    ['no content-length', false, post({ 'content-length': undefined })],
    ['content-length 0', false, length('0')],
    ['a leading zero (017)', false, length('017')],
    ['an exponent (1e3)', false, length('1e3')],
    ['a hexadecimal length (0x11)', false, length('0x11')],
    ['a 16-digit length', false, length('1000000000000000'), SAFE_MAX],
    ['a length above the limit', false, length(String(MAX_BODY_BYTES + 1))],
    ['transfer-encoding', false, post({ 'transfer-encoding': 'chunked' })],
    ['no content-type', false, post({ 'content-type': undefined })],
    ['text/plain', false, type('text/plain')],
    ['application/json;charset=utf-8 (no space)', false, type('application/json;charset=utf-8')],
    ['application/x-www-form-urlencoded', false, type('application/x-www-form-urlencoded')],
    ['an Origin header', false, post({ origin: 'https://page.example' })],
  ])('%s → accepted: %s', (_name, accepted, request, maxBodyBytes = MAX_BODY_BYTES) => {
    expect(isPlainPost(request, maxBodyBytes)).toBe(accepted);
  });
});

const servers: Server[] = [];
const agents: Agent[] = [];
afterEach(async () => {
  for (const agent of agents.splice(0)) agent.destroy();
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise((resolve) => {
          server.closeAllConnections();
          server.close(resolve);
        }),
    ),
  );
});

/** One request the server saw: whether the lane took it, and when its response closed. */
interface Exchange {
  taken: boolean;
  closed: Promise<void>;
}

/** The batch the lane writes through, noting whether each answer waited for its turn's batch. */
class RecordingBatch extends AnswerBatch {
  readonly writes: Array<'with its turn' | 'at once'> = [];

  override write(turn: BatchTurn | undefined, write: () => void): void {
    this.writes.push(turn !== undefined && !turn.written ? 'with its turn' : 'at once');
    super.write(turn, write);
  }
}

interface LaneOptions {
  maxPerClient?: number;
  timeoutMs?: number;
}

/**
 * A node:http server whose request listener offers each request to a plain lane with one route at
 * `/r`, and answers what the lane leaves with FALLBACK_STATUS and `framework:<body it read>`.
 * `state` flips the lane's outside conditions; `answer` is what the route answers with.
 */
async function startLane({ maxPerClient = 8, timeoutMs = 10_000 }: LaneOptions = {}) {
  const state = { admit: true, hostAllowed: true, closing: false };
  const calls: PlainRequest[] = [];
  const admitted: IncomingHttpHeaders[] = [];
  const hosts: Array<string | undefined> = [];
  const idRequests: Array<[string | string[] | undefined, string | undefined]> = [];
  const answered: AnsweredRequest[] = [];
  const failed: RequestErrorReport[] = [];
  const exchanges: Exchange[] = [];
  const events = new EventEmitter();
  const batch = new RecordingBatch();
  const harness = {
    state,
    batch,
    calls,
    admitted,
    hosts,
    idRequests,
    answered,
    failed,
    exchanges,
    answer: async (_request: PlainRequest): Promise<object> => ({ ok: true }),
    port: 0,
    /** Resolves with the next request handed to `answer` (subscribe before sending). */
    nextCall: async () => ((await once(events, 'call')) as [PlainRequest])[0],
    /** Resolves with the next request the server sees (subscribe before sending). */
    nextExchange: async () => ((await once(events, 'exchange')) as [Exchange])[0],
    send: (request: Omit<RawRequest, 'port'>): Promise<RawResponse> =>
      sendRawRequest({ port: harness.port, ...request }),
    post: (path = '/r', headers: Record<string, string> = {}): Promise<RawResponse> =>
      harness.send({ method: 'POST', path, headers: { ...JSON_HEADERS, ...headers }, body: BODY }),
  };
  const route: PlainRoute = {
    admits(headers) {
      admitted.push(headers);
      return state.admit;
    },
    answer(request) {
      calls.push(request);
      events.emit('call', request);
      return harness.answer(request);
    },
  };
  const routes = new PlainRouteTable();
  routes.add('/r', route);
  routes.add('/o', route, 'openai');
  let nextId = 0;
  const lane = createPlainLane({
    routes,
    maxBodyBytes: MAX_BODY_BYTES,
    timeoutMs,
    isHostAllowed: (host) => {
      hosts.push(host);
      return state.hostAllowed;
    },
    requestIdFor: (incoming, peerIp) => {
      idRequests.push([incoming, peerIp]);
      nextId += 1;
      return `req-${nextId}`;
    },
    clientKeyOf: (request) => request.socket.remoteAddress ?? 'unknown',
    requestsPerClient: limitRequestsPerClient(maxPerClient),
    isClosing: () => state.closing,
    batch,
    onAnswered: (answer) => answered.push(answer),
    onFailed: (report) => failed.push(report),
  });
  const server = createServer((request, response) => {
    const taken = lane(request, response);
    const closed = new Promise<void>((resolve) => response.once('close', resolve));
    const exchange = { taken, closed };
    exchanges.push(exchange);
    events.emit('exchange', exchange);
    if (!taken) framework(request, response);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  harness.port = (server.address() as AddressInfo).port;
  return harness;
}

/** The stand-in for the framework: reads the whole body, then answers with what it read. */
function framework(request: IncomingMessage, response: ServerResponse): void {
  const parts: Buffer[] = [];
  request.on('data', (chunk: Buffer) => parts.push(chunk));
  request.on('end', () => {
    response.writeHead(FALLBACK_STATUS, { 'content-type': 'text/plain' });
    response.end(`framework:${Buffer.concat(parts).toString('utf8')}`);
  });
}

function expectFallback(response: RawResponse, body = BODY.toString('utf8')): void {
  expect(response.status).toBe(FALLBACK_STATUS);
  expect(response.body).toBe(`framework:${body}`);
}

function expectLaneHeaders(response: RawResponse): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
    expect(response.headers[name], name).toBe(value);
  }
  expect(response.headers['x-request-id']).toMatch(/^req-\d+$/);
  expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(response.headers['content-length']).toBe(String(Buffer.byteLength(response.body)));
}

/** A promise that rejects with the signal's reason once it aborts, as provider work does. */
function untilAborted(signal: CancelSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    signal.addEventListener('abort', () => reject(signal.reason));
  });
}

/** The reason the signal aborts with (immediately if it already has). */
function abortReason(signal: CancelSignal): Promise<unknown> {
  if (signal.aborted) return Promise.resolve(signal.reason);
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(signal.reason)));
}

function codeOf(value: unknown): string | undefined {
  return isGatewayError(value) ? value.code : undefined;
}

describe('createPlainLane', () => {
  it("writes an answer ready in its loop turn with that turn's batch, a later one at once", async () => {
    const h = await startLane();
    expect((await h.post()).status).toBe(200);
    h.answer = () => new Promise((resolve) => setTimeout(() => resolve({ ok: true }), 5));
    expect((await h.post()).status).toBe(200);
    expect(h.batch.writes).toEqual(['with its turn', 'at once']);
    expect(h.answered.map((answered) => answered.status)).toEqual([200, 200]);
  });

  it('writes at once the answer of a request pipelined behind another, so Node counts it', async () => {
    const h = await startLane();
    const socket = connect(h.port, '127.0.0.1');
    let received = '';
    socket.setEncoding('latin1');
    const bothAnswered = new Promise<void>((resolve) => {
      socket.on('data', (chunk: string) => {
        received += chunk;
        if (received.split('HTTP/1.1 200 ').length === 3) resolve();
      });
    });
    const request = Buffer.concat([Buffer.from(rawHead(h.port), 'latin1'), BODY]);
    socket.write(Buffer.concat([request, request]));
    await bothAnswered;
    socket.destroy();
    // The second one has no socket yet: it waits in Node's queue for the first answer, counted.
    expect(h.batch.writes).toEqual(['with its turn', 'at once']);
  });

  it('answers an admitted POST itself: 200, the JSON answer, the security headers and request id', async () => {
    const h = await startLane();
    h.answer = async () => ({ reply: 'h\u00e9llo back', n: 1 });
    const response = await h.post('/r', { 'x-custom': 'kept', 'x-request-id': 'from-client' });

    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ reply: 'h\u00e9llo back', n: 1 });
    expectLaneHeaders(response);
    expect(response.headers['x-request-id']).toBe('req-1');
    expect(h.idRequests).toEqual([['from-client', '127.0.0.1']]);
    expect(h.hosts).toEqual([`127.0.0.1:${h.port}`]);

    expect(h.calls).toHaveLength(1);
    const [call] = h.calls as [PlainRequest];
    expect(call.method).toBe('POST');
    expect(call.url).toBe('/r');
    expect(call.rawBody.equals(BODY)).toBe(true);
    expect(call.headers).toMatchObject({ ...JSON_HEADERS, 'x-custom': 'kept' });
    expect(call.headers).toBe(h.admitted[0]);
    expect(call.query).toEqual({});
    expect(call.clientKey).toBe('127.0.0.1');
    expect(call.workSignal.aborted).toBe(false);

    expect(h.answered).toHaveLength(1);
    const [answered] = h.answered as [AnsweredRequest];
    expect(answered).toMatchObject({
      route: '/r',
      method: 'POST',
      status: 200,
      requestId: 'req-1',
    });
    expect(Number.isFinite(answered.durationMs)).toBe(true);
    expect(answered.durationMs).toBeGreaterThanOrEqual(0);
    expect(answered.request.url).toBe('/r');
    expect(h.failed).toEqual([]);
    expect(h.exchanges.map((exchange) => exchange.taken)).toEqual([true]);
  });

  it.each<[string, (state: { admit: boolean; hostAllowed: boolean; closing: boolean }) => void]>([
    ["the route's admits() refuses", (state) => (state.admit = false)],
    ['the Host is not allowed', (state) => (state.hostAllowed = false)],
    ['the server is closing', (state) => (state.closing = true)],
  ])(
    'leaves the request to the framework while %s, and takes it again after',
    async (_, refuse) => {
      const h = await startLane();
      refuse(h.state);
      expectFallback(await h.post());
      expect(h.calls).toEqual([]);
      expect(h.answered).toEqual([]);

      Object.assign(h.state, { admit: true, hostAllowed: true, closing: false });
      const taken = await h.post();
      expect(taken.status).toBe(200);
      expect(h.calls).toHaveLength(1);
      expect(h.exchanges.map((exchange) => exchange.taken)).toEqual([false, true]);
    },
  );

  it.each<[string, Omit<RawRequest, 'port'>, string]>([
    ['GET', { method: 'GET', path: '/r' }, ''],
    ['PUT', { method: 'PUT', path: '/r', headers: JSON_HEADERS, body: BODY }, BODY.toString()],
    [
      'an unknown path',
      { method: 'POST', path: '/other', headers: JSON_HEADERS, body: BODY },
      BODY.toString(),
    ],
    [
      'a query string',
      { method: 'POST', path: '/r?x=1', headers: JSON_HEADERS, body: BODY },
      BODY.toString(),
    ],
    [
      'a text/plain body',
      {
        method: 'POST',
        path: '/r',
        headers: { ...JSON_HEADERS, 'content-type': 'text/plain' },
        body: BODY,
      },
      BODY.toString(),
    ],
    [
      'a chunked body',
      {
        method: 'POST',
        path: '/r',
        headers: { 'content-type': 'application/json' },
        chunks: [BODY.subarray(0, 5), BODY.subarray(5)],
      },
      BODY.toString(),
    ],
    [
      'a body above the limit',
      {
        method: 'POST',
        path: '/r',
        headers: { 'content-type': 'application/json' },
        body: `"${'x'.repeat(MAX_BODY_BYTES - 1)}"`,
      },
      `"${'x'.repeat(MAX_BODY_BYTES - 1)}"`,
    ],
    [
      'an Origin header',
      {
        method: 'POST',
        path: '/r',
        headers: { ...JSON_HEADERS, origin: 'https://page.example' },
        body: BODY,
      },
      BODY.toString(),
    ],
  ])('leaves %s to the framework with its body unread', async (_, request, body) => {
    const h = await startLane();
    expectFallback(await h.send(request), body);
    expect(h.calls).toEqual([]);
    expect(h.answered).toEqual([]);
    expect(h.failed).toEqual([]);
    expect(h.idRequests).toEqual([]);
    expect(h.exchanges.map((exchange) => exchange.taken)).toEqual([false]);
  });

  it(
    "takes a slot of the client's cap while answering and gives it back when done",
    async () => {
      const h = await startLane({ maxPerClient: 1 });
      let release = (): void => undefined;
      const gate = new Promise<void>((resolve) => (release = resolve));
      h.answer = async () => {
        await gate;
        return { held: true };
      };
      const called = h.nextCall();
      const held = h.post();
      await called;

      // The same client is at its cap: the framework (and its 429 guard) gets the next one.
      const refused = await h.post();
      expectFallback(refused);
      // Another client address is not.
      h.answer = async () => ({ other: true });
      const other = await h.send({
        method: 'POST',
        path: '/r',
        headers: JSON_HEADERS,
        body: BODY,
        localAddress: '127.0.0.2',
      });
      expect(other.status).toBe(200);
      expect(JSON.parse(other.body)).toEqual({ other: true });
      expect(h.calls.map((call) => call.clientKey)).toEqual(['127.0.0.1', '127.0.0.2']);

      release();
      const first = await held;
      expect(first.status).toBe(200);
      expect(JSON.parse(first.body)).toEqual({ held: true });
      await h.exchanges[0]?.closed;

      const again = await h.post();
      expect(again.status).toBe(200);
      expect(h.exchanges.map((exchange) => exchange.taken)).toEqual([true, false, true, true]);
      expect(h.calls).toHaveLength(3);
    },
    EVENT_TIMEOUT_MS,
  );

  it('answers a thrown GatewayError with its status, Retry-After and registry body', async () => {
    const h = await startLane();
    const error = new GatewayError('RATE_LIMITED', { extra: { retry_after: 7 } });
    h.answer = async () => {
      throw error;
    };
    const response = await h.post();

    expect(response.status).toBe(429);
    expect(response.headers['retry-after']).toBe('7');
    expectLaneHeaders(response);
    const requestId = response.headers['x-request-id'] as string;
    expect(JSON.parse(response.body)).toEqual(gatewayErrorAnswer(error, requestId).body);
    expect(JSON.parse(response.body)).toMatchObject({ code: 'RATE_LIMITED', retry_after: 7 });
    expect(h.failed).toHaveLength(1);
    expect(h.failed[0]).toMatchObject({ error, requestId, method: 'POST', route: '/r' });
    expect(h.failed[0]?.gatewayError.code).toBe('RATE_LIMITED');
    expect(h.answered).toEqual([expect.objectContaining({ route: '/r', status: 429, requestId })]);
  });

  it('answers any other thrown error as INTERNAL, with the request id and without its message', async () => {
    const h = await startLane();
    const error = new Error('boom');
    h.answer = async () => {
      throw error;
    };
    const response = await h.post();

    expect(response.status).toBe(500);
    expectLaneHeaders(response);
    const requestId = response.headers['x-request-id'];
    expect(JSON.parse(response.body)).toEqual({
      error: new GatewayError('INTERNAL').message,
      code: 'INTERNAL',
      request_id: requestId,
    });
    expect(response.body).not.toContain('boom');
    expect(h.failed).toHaveLength(1);
    expect(h.failed[0]).toMatchObject({ error, requestId });
    expect(h.failed[0]?.gatewayError.code).toBe('INTERNAL');
  });

  // JSON.stringify throws after the answer settled: it must become a 500 (as the framework's error
  // handler makes it), not an unhandled rejection and a client left waiting for the timeout.
  it(
    'answers 500 INTERNAL when the answer cannot be serialized, as the framework does',
    async () => {
      const h = await startLane({ timeoutMs: 300 });
      h.answer = async () => ({ tokens: 1n });
      const response = await h.post();

      expect(response.status).toBe(500);
      expectLaneHeaders(response);
      expect(JSON.parse(response.body)).toMatchObject({
        code: 'INTERNAL',
        request_id: response.headers['x-request-id'],
      });
      expect(h.failed.map((report) => report.gatewayError.code)).toEqual(['INTERNAL']);
      expect(h.failed[0]?.error).toBeInstanceOf(TypeError);
    },
    EVENT_TIMEOUT_MS,
  );

  it.each([
    new GatewayError('INVALID_BODY', { extra: { param: 'model' } }),
    new GatewayError('LLM_REQUEST_FAILED'),
  ])('writes $code in OpenAI’s error shape on a route registered with it', async (error) => {
    const h = await startLane();
    h.answer = async () => {
      throw error;
    };
    const response = await h.post('/o');
    const requestId = response.headers['x-request-id'] as string;
    const expected = gatewayErrorAnswer(error, requestId, 'openai');

    expect(response.status).toBe(expected.status);
    expectLaneHeaders(response);
    const body = JSON.parse(response.body) as { error: Record<string, unknown> };
    expect(body).toEqual(expected.body);
    expect(Object.keys(body)).toEqual(['error']);
    expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
    expect(body.error.code).toBe(error.code.toLowerCase());
    expect(h.failed[0]).toMatchObject({ route: '/o', requestId });
  });

  it(
    'times out a pending answer: 408 with connection: close, and aborts its work',
    async () => {
      const h = await startLane({ timeoutMs: 50 });
      h.answer = (request) => untilAborted(request.workSignal);
      const called = h.nextCall();
      // A keep-alive client, so `connection: close` comes from the answer, not the request.
      const agent = new Agent({ keepAlive: true });
      agents.push(agent);
      const response = await h.send({
        method: 'POST',
        path: '/r',
        headers: JSON_HEADERS,
        body: BODY,
        agent,
      });
      const timeout = new GatewayError('REQUEST_TIMEOUT');

      expect(response.status).toBe(timeout.status);
      expect(response.headers.connection).toBe('close');
      expectLaneHeaders(response);
      const requestId = response.headers['x-request-id'] as string;
      expect(JSON.parse(response.body)).toEqual(gatewayErrorAnswer(timeout, requestId).body);
      const { workSignal } = await called;
      expect(workSignal.aborted).toBe(true);
      expect(codeOf(workSignal.reason)).toBe('REQUEST_TIMEOUT');
      // The answer rejecting afterwards (with the abort reason) is not reported a second time.
      await h.exchanges[0]?.closed;
      expect(h.failed.map((report) => report.gatewayError.code)).toEqual(['REQUEST_TIMEOUT']);
      expect(h.answered).toEqual([expect.objectContaining({ status: timeout.status, requestId })]);
    },
    EVENT_TIMEOUT_MS,
  );

  it(
    'times out a body that stops arriving: 408, and the route is never asked',
    async () => {
      const h = await startLane({ timeoutMs: 50, maxPerClient: 1 });
      const socket = connect(h.port, '127.0.0.1');
      let received = '';
      socket.setEncoding('latin1').on('data', (chunk: string) => (received += chunk));
      const ended = once(socket, 'close');
      socket.write(rawHead(h.port) + BODY.subarray(0, 5).toString('latin1'));
      await ended;

      expect(received).toMatch(
        new RegExp(`^HTTP/1\\.1 ${new GatewayError('REQUEST_TIMEOUT').status} `),
      );
      expect(received.toLowerCase()).toContain('connection: close');
      expect(h.calls).toEqual([]);
      await h.exchanges[0]?.closed;
      expect((await h.post()).status).toBe(200);
      expect(h.exchanges.map((exchange) => exchange.taken)).toEqual([true, true]);
    },
    EVENT_TIMEOUT_MS,
  );

  it(
    'aborts the work with MESSAGE_CANCELLED when the client goes away, and frees its slot',
    async () => {
      const h = await startLane({ maxPerClient: 1 });
      h.answer = (request) => untilAborted(request.workSignal);
      const called = h.nextCall();
      const client = httpRequest({
        host: '127.0.0.1',
        port: h.port,
        method: 'POST',
        path: '/r',
        headers: JSON_HEADERS,
        agent: false,
      });
      client.on('error', () => undefined);
      client.end(BODY);
      const { workSignal, rawBody } = await called;
      expect(rawBody.equals(BODY)).toBe(true);
      expect(workSignal.aborted).toBe(false);

      client.destroy();
      expect(codeOf(await abortReason(workSignal))).toBe('MESSAGE_CANCELLED');
      await h.exchanges[0]?.closed;
      expect(h.answered).toEqual([]);
      // The whole body had arrived: only the cancelled work is reported, not a cut-off body.
      await new Promise((resolve) => setImmediate(resolve));
      expect(h.failed.map((report) => report.gatewayError.code)).toEqual(['MESSAGE_CANCELLED']);

      h.answer = async () => ({ next: true });
      const next = await h.post();
      expect(next.status).toBe(200);
      expect(JSON.parse(next.body)).toEqual({ next: true });
      expect(h.exchanges.map((exchange) => exchange.taken)).toEqual([true, true]);
    },
    EVENT_TIMEOUT_MS,
  );

  it(
    'survives a client that leaves mid-body: the route is never asked, the cut is reported, the slot is freed',
    async () => {
      const h = await startLane({ maxPerClient: 1 });
      const arrived = h.nextExchange();
      const socket = connect(h.port, '127.0.0.1');
      socket.on('error', () => undefined);
      socket.write(rawHead(h.port) + BODY.subarray(0, 5).toString('latin1'));
      const exchange = await arrived;
      expect(exchange.taken).toBe(true);

      socket.destroy();
      await exchange.closed;
      expect(h.calls).toEqual([]);
      expect(h.answered).toEqual([]);
      // Reported as the framework's body parser reports a cut-off body (a debug line).
      expect(h.failed.map((report) => report.gatewayError.code)).toEqual(['BAD_REQUEST']);

      const next = await h.post();
      expect(next.status).toBe(200);
      expect(h.calls).toHaveLength(1);
      expect(h.exchanges.map((e) => e.taken)).toEqual([true, true]);
    },
    EVENT_TIMEOUT_MS,
  );
});

/** The head of a JSON POST to /r declaring BODY's length, as a raw client would send it. */
function rawHead(port: number): string {
  return (
    `POST /r HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${BODY.length}\r\n\r\n`
  );
}
