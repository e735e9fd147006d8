import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares two secrets without leaking where they differ or how long the expected one is.
 * Both sides are hashed first so `timingSafeEqual` always sees equal lengths: unequal inputs
 * neither throw nor return early, and the timing reveals nothing about the secret's length.
 */
export function constantTimeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const left = createHash('sha256').update(a).digest();
  const right = createHash('sha256').update(b).digest();
  return timingSafeEqual(left, right);
}
