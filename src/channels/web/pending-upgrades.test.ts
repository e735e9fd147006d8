import { describe, expect, it } from 'vitest';
import { createPendingUpgrades } from './pending-upgrades.js';

describe('createPendingUpgrades', () => {
  it('refuses a client at its cap and frees the slot on release, once', () => {
    const pending = createPendingUpgrades(2);
    const first = pending.tryAcquire('a');
    expect(pending.tryAcquire('a')).toBeDefined();
    expect(pending.tryAcquire('a')).toBeUndefined();
    expect(pending.tryAcquire('b')).toBeDefined();
    first?.();
    first?.();
    expect(pending.count('a')).toBe(1);
    expect(pending.tryAcquire('a')).toBeDefined();
    expect(pending.tryAcquire('a')).toBeUndefined();
  });

  it('counts every acquired socket and flags the ones past the cap', () => {
    const pending = createPendingUpgrades(2);
    const slots = [1, 2, 3, 4].map(() => pending.acquire('a'));
    expect(slots.map((slot) => slot.overCap)).toEqual([false, false, true, true]);
    expect(pending.count('a')).toBe(4);
    expect(pending.acquire('b').overCap).toBe(false);
    expect(pending.tryAcquire('a')).toBeUndefined();
    slots.forEach((slot) => slot.release());
    expect(pending.count('a')).toBe(0);
    expect(pending.acquire('a').overCap).toBe(false);
  });
});
