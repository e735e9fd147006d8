import { EventEmitter } from 'node:events';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CancelSignal } from '../../core/cancel-signal.js';
import { decorateWorkSignal, requestTimeout } from './timeout.js';

const TIMEOUT_MS = 1_000;

/** The work-signal getter the guard's app would install, taken from decorateWorkSignal itself. */
function workSignalGetter(): (this: FastifyRequest) => CancelSignal {
  let getter: ((this: FastifyRequest) => CancelSignal) | undefined;
  const app = {
    decorateRequest(_name: string, property: { getter: (this: FastifyRequest) => CancelSignal }) {
      getter = property.getter;
    },
  } as unknown as FastifyInstance;
  decorateWorkSignal(app);
  if (getter === undefined) throw new Error('decorateWorkSignal installed no getter');
  return getter;
}

/** One request under the guard, with a response whose state and events the test controls. */
function guarded() {
  const raw = Object.assign(new EventEmitter(), {
    writableEnded: false,
    writableFinished: false,
    headersSent: false,
  });
  const sent: unknown[] = [];
  const headers: Record<string, string> = {};
  const reply = {
    raw,
    sent: false,
    header(name: string, value: string) {
      headers[name] = value;
      return reply;
    },
    send(payload: unknown) {
      sent.push(payload);
      return reply;
    },
  };
  const request = {} as FastifyRequest;
  const signal = workSignalGetter().call(request);
  let proceeded = 0;
  requestTimeout({ timeoutMs: TIMEOUT_MS })(request, reply as unknown as FastifyReply, () => {
    proceeded += 1;
  });
  return { raw, signal, sent, headers, proceeded: () => proceeded };
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('requestTimeout', () => {
  it('lets the request go on and, at the timeout, aborts its work and answers 408', () => {
    const t = guarded();
    expect(t.proceeded()).toBe(1);
    vi.advanceTimersByTime(TIMEOUT_MS - 1);
    expect(t.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(t.signal.reason).toMatchObject({ code: 'REQUEST_TIMEOUT' });
    expect(t.sent).toEqual([expect.objectContaining({ code: 'REQUEST_TIMEOUT' })]);
    expect(t.headers).toEqual({ connection: 'close' });
  });

  it('aborts the work with MESSAGE_CANCELLED when the client goes away, and sends nothing', () => {
    const t = guarded();
    t.raw.emit('close');
    expect(t.signal.reason).toMatchObject({ code: 'MESSAGE_CANCELLED' });
    vi.advanceTimersByTime(TIMEOUT_MS * 2);
    expect(t.sent).toEqual([]);
    expect(t.signal.reason).toMatchObject({ code: 'MESSAGE_CANCELLED' });
  });

  it('leaves the work alone when the response finished, and stops its timer', () => {
    const t = guarded();
    t.raw.writableEnded = true;
    t.raw.writableFinished = true;
    t.raw.emit('close');
    vi.advanceTimersByTime(TIMEOUT_MS * 2);
    expect(t.signal.aborted).toBe(false);
    expect(t.sent).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('handles a second close of the same response as a no-op', () => {
    const t = guarded();
    t.raw.emit('close');
    expect(() => t.raw.emit('close')).not.toThrow();
    expect(t.signal.reason).toMatchObject({ code: 'MESSAGE_CANCELLED' });
    expect(vi.getTimerCount()).toBe(0);
  });
});
