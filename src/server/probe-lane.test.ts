import { describe, expect, it } from 'vitest';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AnswerBatch } from './answer-batch.js';
import { createProbeLane, isPlainProbe, type ProbeLaneOptions } from './probe-lane.js';

/** Resolves after the current loop turn's check phase, where the lane's answers are written. */
const afterBatch = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const allowLocal = (host: string | undefined) => host === 'localhost';

describe('isPlainProbe', () => {
  const plain = { method: 'GET', url: '/health', headers: { host: 'localhost' } };
  it.each([
    { case: 'GET /health', request: plain, lane: true },
    { case: 'GET /livez', request: { ...plain, url: '/livez' }, lane: true },
    { case: 'GET /readyz', request: { ...plain, url: '/readyz' }, lane: true },
    { case: 'HEAD', request: { ...plain, method: 'HEAD' }, lane: false },
    { case: 'POST', request: { ...plain, method: 'POST' }, lane: false },
    { case: 'a query string', request: { ...plain, url: '/health?verbose' }, lane: false },
    { case: 'a trailing slash', request: { ...plain, url: '/health/' }, lane: false },
    { case: 'another path', request: { ...plain, url: '/metrics' }, lane: false },
    { case: 'an inherited name', request: { ...plain, url: '__proto__' }, lane: false },
    {
      case: 'a declared body',
      request: { ...plain, headers: { host: 'localhost', 'content-length': '0' } },
      lane: false,
    },
    {
      case: 'a chunked body',
      request: { ...plain, headers: { host: 'localhost', 'transfer-encoding': 'chunked' } },
      lane: false,
    },
    {
      case: 'a host not served here',
      request: { ...plain, headers: { host: 'evil' } },
      lane: false,
    },
    { case: 'no Host', request: { ...plain, headers: {} }, lane: false },
  ])('$case → lane: $lane', ({ request, lane }) => {
    expect(isPlainProbe(request, allowLocal)).toBe(lane);
  });
});

describe('createProbeLane', () => {
  const request = {
    method: 'GET',
    url: '/health',
    headers: { host: 'localhost' },
    socket: { remoteAddress: '127.0.0.1' },
  } as unknown as IncomingMessage;
  const ok = { statusCode: 200, body: '{}', byteLength: 2 };
  function lane(overrides: Partial<ProbeLaneOptions> = {}) {
    return createProbeLane({
      answers: { health: () => ok, livez: () => ok, readyz: () => ok },
      isHostAllowed: allowLocal,
      requestIdFor: () => 'id-1',
      mayStart: () => true,
      isClosing: () => false,
      batch: new AnswerBatch(),
      onAnswered: () => undefined,
      ...overrides,
    });
  }
  function response() {
    const sent: unknown[] = [];
    const fake = {
      destroyed: false,
      socket: {},
      writeHead: (...args: unknown[]) => sent.push(['head', ...args]),
      end: (body: unknown) => sent.push(['end', body]),
    } as unknown as ServerResponse;
    return { fake, sent };
  }

  it('answers a plain probe in one head and one end, with the batch of its loop turn', async () => {
    const { fake, sent } = response();
    expect(lane()(request, fake)).toBe(true);
    expect(sent).toEqual([]);
    await afterBatch();
    expect(sent.map((entry) => (entry as unknown[])[0])).toEqual(['head', 'end']);
  });

  it('writes at once a probe queued behind another answer on its connection', () => {
    const { fake, sent } = response();
    // A pipelined request's response has no socket until the answers before it are done.
    const queued = Object.assign(fake, { socket: null });
    expect(lane()(request, queued)).toBe(true);
    expect(sent.map((entry) => (entry as unknown[])[0])).toEqual(['head', 'end']);
  });

  it('leaves the request to the framework, untouched, when building the answer throws', () => {
    const { fake, sent } = response();
    const failing = lane({
      answers: {
        health: () => {
          throw new Error('snapshot failed');
        },
        livez: () => ok,
        readyz: () => ok,
      },
    });
    expect(failing(request, fake)).toBe(false);
    expect(sent).toEqual([]);
  });

  it('keeps an answer already sent when recording it throws', async () => {
    const { fake, sent } = response();
    const failing = lane({
      onAnswered: () => {
        throw new Error('sink down');
      },
    });
    expect(failing(request, fake)).toBe(true);
    await afterBatch();
    expect(sent).toHaveLength(2);
  });
});
