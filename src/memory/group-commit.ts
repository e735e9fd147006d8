/** Options for GroupCommit. */
export interface GroupCommitOptions<T> {
  /** Writes a whole batch atomically (one transaction); a throw means nothing of it was written. */
  commit: (batch: readonly T[]) => void;
  /** Runs the flush later; setImmediate by default, so writes made in one event-loop turn share it. */
  schedule?: (flush: () => void) => void;
}

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
  #items: T[] = [];
  #waiters: Waiter[] = [];
  #scheduled = false;

  constructor(options: GroupCommitOptions<T>) {
    this.#commit = options.commit;
    this.#schedule = options.schedule ?? ((flush) => setImmediate(flush));
  }

  /** Queues one item; settles when the batch holding it is committed or has failed. */
  enqueue(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#items.push(item);
      this.#waiters.push({ resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        this.#schedule(this.#flushLater);
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
