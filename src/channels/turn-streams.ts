import type { DispatchResult } from '../core/types.js';

/** What a listener of a running turn receives. */
export interface TurnListener {
  chunk(delta: string, seq: number): void;
  done(result: DispatchResult): void;
  error(error: unknown): void;
}

/**
 * One streamed turn that outlives the connection that started it: its chunks are kept (numbered
 * from 1) so a client whose stream broke can re-attach and receive exactly the chunks after the
 * last one it saw, then the outcome, without a second LLM call.
 */
export class TurnStream {
  readonly #chunks: string[] = [];
  readonly #listeners = new Set<TurnListener>();
  readonly #controller = new AbortController();
  #outcome: { ok: true; result: DispatchResult } | { ok: false; error: unknown } | undefined;

  /** Aborts the turn's upstream call. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get finished(): boolean {
    return this.#outcome !== undefined;
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }

  push(delta: string): void {
    this.#chunks.push(delta);
    const seq = this.#chunks.length;
    for (const listener of this.#listeners) listener.chunk(delta, seq);
  }

  finish(result: DispatchResult): void {
    this.#outcome = { ok: true, result };
    for (const listener of this.#listeners) listener.done(result);
    this.#listeners.clear();
  }

  fail(error: unknown): void {
    this.#outcome = { ok: false, error };
    for (const listener of this.#listeners) listener.error(error);
    this.#listeners.clear();
  }

  abort(reason: unknown): void {
    this.#controller.abort(reason);
  }

  /**
   * Replays the chunks after `afterSeq`, then follows the turn (or delivers its outcome at once
   * when it already ended). Returns the unsubscribe function.
   */
  attach(listener: TurnListener, afterSeq = 0): () => void {
    for (let index = Math.max(0, afterSeq); index < this.#chunks.length; index += 1) {
      listener.chunk(this.#chunks[index] as string, index + 1);
    }
    const outcome = this.#outcome;
    if (outcome !== undefined) {
      if (outcome.ok) listener.done(outcome.result);
      else listener.error(outcome.error);
      return () => undefined;
    }
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }
}

export interface TurnStreamsOptions {
  /** How long a turn keeps running without a listener, and is kept after it ended. */
  graceMs: number;
}

/** Resumable turns by key (principal and idempotency key), each dropped after its grace period. */
export interface TurnStreams {
  get(key: string): TurnStream | undefined;
  /** Registers a new turn under `key`. */
  start(key: string): TurnStream;
  /**
   * Called when a listener went away: after the grace period, a turn nobody re-attached to is
   * aborted (`abortReason`), and an ended one is forgotten.
   */
  detached(key: string, stream: TurnStream, abortReason: unknown): void;
  /** Called when a turn ended: it stays available for the grace period. */
  ended(key: string, stream: TurnStream): void;
  size(): number;
}

/** Builds the in-process registry of resumable turns. */
export function createTurnStreams(options: TurnStreamsOptions): TurnStreams {
  const streams = new Map<string, { stream: TurnStream; timer?: NodeJS.Timeout }>();
  const schedule = (key: string, stream: TurnStream, run: () => void): void => {
    const entry = streams.get(key);
    if (entry?.stream !== stream) return;
    clearTimeout(entry.timer);
    entry.timer = setTimeout(run, options.graceMs);
    entry.timer.unref();
  };
  return {
    get: (key) => streams.get(key)?.stream,
    start(key) {
      const previous = streams.get(key);
      clearTimeout(previous?.timer);
      const stream = new TurnStream();
      streams.set(key, { stream });
      return stream;
    },
    detached(key, stream, abortReason) {
      schedule(key, stream, () => {
        if (stream.listenerCount > 0) return;
        if (!stream.finished) stream.abort(abortReason);
        if (streams.get(key)?.stream === stream) streams.delete(key);
      });
    },
    ended(key, stream) {
      schedule(key, stream, () => {
        if (streams.get(key)?.stream === stream) streams.delete(key);
      });
    },
    size: () => streams.size,
  };
}
