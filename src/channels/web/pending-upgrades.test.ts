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
});
