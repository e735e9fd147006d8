/** Namespace and bucket names: short and plain, so every backend can use them in a key prefix. */
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

/** Throws when a namespace or bucket name could collide with a store's internal keys. */
export function assertStateName(name: string): void {
  if (!NAME_PATTERN.test(name)) {
    throw new TypeError(`Invalid state namespace or bucket name: ${JSON.stringify(name)}`);
  }
}

/** Throws unless `ttlMs` is a positive finite number of milliseconds. */
export function assertTtl(ttlMs: number): void {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new RangeError(`TTL must be a positive number of milliseconds, got ${ttlMs}`);
  }
}

/** Throws unless `amount` is a positive safe integer (what `incrementBy` may add). */
export function assertAmount(amount: number): void {
  if (!Number.isSafeInteger(amount) || amount <= 0) {
    throw new RangeError(`Increment must be a positive safe integer, got ${amount}`);
  }
}

/** The counter plus `amount`; refuses a total past what a number holds exactly. */
export function addToCounter(value: string, amount: number): number {
  const next = parseCounter(value) + amount;
  if (!Number.isSafeInteger(next)) throw new RangeError('Counter would exceed a safe integer');
  return next;
}

/** Parses a stored counter; a non-integer value means the key is used for two things. */
export function parseCounter(value: string): number {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed)) {
    throw new TypeError('increment() on a key that does not hold an integer');
  }
  return parsed;
}
