import { afterEach, describe, expect, it } from 'vitest';
import { CancelController, type CancelSignal } from './cancel-signal.js';

/** Both controllers, driven the same way: CancelController must behave as AbortController does. */
const controllers: Array<[string, () => { signal: CancelSignal; abort(reason?: unknown): void }]> =
  [
    ['AbortController', () => new AbortController()],
    ['CancelController', () => new CancelController()],
  ];

describe.each(controllers)('%s', (_name, create) => {
  it('starts not aborted, with no reason, and throwIfAborted does not throw', () => {
    const { signal } = create();
    expect(signal.aborted).toBe(false);
    expect(signal.reason).toBeUndefined();
    expect(() => signal.throwIfAborted()).not.toThrow();
  });

  it('aborts with the given reason, which throwIfAborted throws', () => {
    const controller = create();
    const reason = new Error('stop');
    controller.abort(reason);
    expect(controller.signal.aborted).toBe(true);
    expect(controller.signal.reason).toBe(reason);
    expect(() => controller.signal.throwIfAborted()).toThrow(reason);
  });

  it('gives an AbortError DOMException when aborted without a reason', () => {
    const controller = create();
    controller.abort();
    expect(controller.signal.reason).toBeInstanceOf(DOMException);
    expect((controller.signal.reason as DOMException).name).toBe('AbortError');
  });

  it('runs each listener once, in the order added, and keeps the first reason', () => {
    const controller = create();
    const calls: string[] = [];
    const first = (): void => void calls.push(`first:${String(controller.signal.reason)}`);
    controller.signal.addEventListener('abort', first);
    controller.signal.addEventListener('abort', () => calls.push('second'), { once: true });
    controller.signal.addEventListener('abort', first);
    controller.abort('one');
    controller.abort('two');
    expect(calls).toEqual(['first:one', 'second']);
    expect(controller.signal.reason).toBe('one');
  });

  it('does not run a removed listener, nor one added after the abort', () => {
    const controller = create();
    const calls: string[] = [];
    const removed = (): void => void calls.push('removed');
    controller.signal.addEventListener('abort', removed);
    controller.signal.removeEventListener('abort', removed);
    controller.abort();
    controller.signal.addEventListener('abort', () => calls.push('late'));
    controller.abort();
    expect(calls).toEqual([]);
  });

  it('does not run a listener that an earlier one removed during the abort', () => {
    const controller = create();
    const calls: string[] = [];
    const later = (): void => void calls.push('later');
    controller.signal.addEventListener('abort', () => {
      calls.push('earlier');
      controller.signal.removeEventListener('abort', later);
    });
    controller.signal.addEventListener('abort', later);
    controller.abort();
    expect(calls).toEqual(['earlier']);
  });

  describe('a listener that throws', () => {
    let restore: (() => void) | undefined;
    afterEach(() => restore?.());

    it('does not keep the others from running, and its error surfaces as uncaught', async () => {
      // The test runner's own handlers are set aside while the error is expected.
      const runnerHandlers = process.listeners('uncaughtException');
      process.removeAllListeners('uncaughtException');
      const uncaught: unknown[] = [];
      const catcher = (error: unknown): void => void uncaught.push(error);
      process.on('uncaughtException', catcher);
      restore = () => {
        process.off('uncaughtException', catcher);
        for (const handler of runnerHandlers) process.on('uncaughtException', handler);
        restore = undefined;
      };
      const controller = create();
      const failure = new Error('listener failed');
      const calls: string[] = [];
      controller.signal.addEventListener('abort', () => {
        throw failure;
      });
      controller.signal.addEventListener('abort', () => calls.push('after'));
      controller.abort();
      expect(calls).toEqual(['after']);
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(uncaught).toEqual([failure]);
    });
  });
});
