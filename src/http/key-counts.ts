/**
 * How many of something each key (a client address, a peer) holds right now. A key whose count
 * returns to zero is dropped, so the map only ever holds keys with something in progress and a
 * stream of one-off clients does not grow it.
 */
export class KeyCounts {
  readonly #counts = new Map<string, number>();

  /** Keys holding at least one. */
  get size(): number {
    return this.#counts.size;
  }

  count(key: string): number {
    return this.#counts.get(key) ?? 0;
  }

  add(key: string): void {
    this.#counts.set(key, this.count(key) + 1);
  }

  /** Gives one back; a key at zero is dropped (and one never added stays absent). */
  remove(key: string): void {
    const remaining = (this.#counts.get(key) ?? 1) - 1;
    if (remaining <= 0) this.#counts.delete(key);
    else this.#counts.set(key, remaining);
  }
}
