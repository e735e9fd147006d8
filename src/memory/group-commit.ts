/** Options for GroupCommit. */
export interface GroupCommitOptions<T> {
  /** Writes a whole batch atomically (one transaction); a throw means nothing of it was written. */
  commit: (batch: readonly T[]) => void;
  /** Runs the flush later; setImmediate by default, so writes made in one event-loop turn share it. */
  schedule?: (flush: () => void) => void;
}

/**
 * How long a deferrable item may wait for others to share its commit. The reply of a turn no
 * history read waits for is one: it then goes with the next message's commit (any
 * conversation's) when that comes soon, instead of costing a commit of its own.
 */
export const DEFERRED_FLUSH_MS = 10;

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * A write queue whose items are committed together. A commit (WAL append, FTS segment) costs far
 * more than a row, so concurrent turns that write in the same event-loop turn share one. Each
 * `enqueue` promise settles with its own batch: resolved once committed, rejected with the
 * commit's error — a failing batch never touches the promises of earlier or later batches.
 */
export class GroupCommit<T> {
  readonly #commit: (batch: readonly T[]) => void;
  readonly #schedule: (flush: () => void) => void;
  readonly #flushLater = (): void => {
    this.#scheduled = false;
    this.flush();
  };
  readonly #flushDeferred = (): void => {
    this.#deferred = undefined;
    this.flush();
  };
  #items: T[] = [];
  #waiters: Waiter[] = [];
  #scheduled = false;
  /** The timer of deferrable items queued while no flush was scheduled. */
  #deferred: NodeJS.Timeout | undefined;

  constructor(options: GroupCommitOptions<T>) {
    this.#commit = options.commit;
    this.#schedule = options.schedule ?? ((flush) => setImmediate(flush));
  }

  /**
   * Queues one item; settles when the batch holding it is committed or has failed. A deferrable
   * item does not schedule a flush of its own: it goes with the next one, or after
   * DEFERRED_FLUSH_MS.
   */
  enqueue(item: T, deferrable = false): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#items.push(item);
      this.#waiters.push({ resolve, reject });
      if (this.#scheduled) return;
      if (!deferrable) {
        this.#scheduled = true;
        this.#schedule(this.#flushLater);
      } else if (this.#deferred === undefined) {
        this.#deferred = setTimeout(this.#flushDeferred, DEFERRED_FLUSH_MS);
        // A process with nothing else to do ends; closing the memory commits what waits.
        this.#deferred.unref();
      }
    });
  }

  /** Items queued and not yet committed, oldest first. */
  get pending(): readonly T[] {
    return this.#items;
  }

  /**
   * Commits everything queued, now. Never throws: a failure is delivered to the batch's own
   * promises, so a reader that flushes first is not failed by somebody else's write.
   */
  flush(): void {
    const items = this.#items;
    const waiters = this.#waiters;
    if (items.length === 0) return;
    if (this.#deferred !== undefined) {
      clearTimeout(this.#deferred);
      this.#deferred = undefined;
    }
    this.#items = [];
    this.#waiters = [];
    try {
      this.#commit(items);
    } catch (error) {
      for (const waiter of waiters) waiter.reject(error);
      return;
    }
    for (const waiter of waiters) waiter.resolve();
  }
}
