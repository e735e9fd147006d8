import { EventEmitter } from 'node:events';

/**
 * Cross-instance notifications (a revocation, a session kill). Best effort: a subscriber that
 * was disconnected misses messages, so every user also re-checks the StateStore periodically.
 */
export interface StateEvents {
  /** Sends `message` to every subscriber of `channel`, on every instance. */
  publish(channel: string, message: string): Promise<void>;
  /** Calls `listener` for each message on `channel`; returns an unsubscribe function. */
  subscribe(channel: string, listener: (message: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** Events within one process: the embedded backend has only one instance. */
export function createLocalStateEvents(): StateEvents {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    async publish(channel, message) {
      emitter.emit(channel, message);
    },
    async subscribe(channel, listener) {
      emitter.on(channel, listener);
      return async () => {
        emitter.off(channel, listener);
      };
    },
    async close() {
      emitter.removeAllListeners();
    },
  };
}
