import { describe, expect, it } from 'vitest';
import { silentLogger } from '../test-support/channel-test-deps.js';
import { pollWhileLeading, type PollingLease } from './polling-leader.js';

/*
 * A leader whose renewal stalls (Redis slow, not down) must stop polling when its own lease can
 * have run out, not when the stalled call finally fails: by then another instance may poll.
 */

const LEASE_MS = 90;

/** A lease granted once; every later renewal hangs until `unstall()`. */
function stallingLease() {
  let calls = 0;
  let unstall: () => void = () => undefined;
  let pendingRenewal = false;
  const lease: PollingLease = {
    acquire() {
      calls += 1;
      if (calls === 1) return Promise.resolve({ leading: true, remainingMs: LEASE_MS });
      pendingRenewal = true;
      return new Promise((resolve) => {
        unstall = () => {
          pendingRenewal = false;
          resolve({ leading: false, remainingMs: LEASE_MS });
        };
      });
    },
    release: () => Promise.resolve(),
  };
  return { lease, unstall: () => unstall(), renewalPending: () => pendingRenewal };
}

async function until(condition: () => boolean, boundMs = 5000): Promise<void> {
  const end = Date.now() + boundMs;
  while (!condition() && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
  expect(condition()).toBe(true);
}

describe('pollWhileLeading with a stalled renewal', () => {
  it('stops polling by its own deadline while the renewal is still pending', async () => {
    const { lease, unstall, renewalPending } = stallingLease();
    const stop = new AbortController();
    let polling = false;
    let stoppedWhileRenewalPending: boolean | undefined;
    const leading = pollWhileLeading({
      lease,
      leaseMs: LEASE_MS,
      signal: stop.signal,
      logger: silentLogger(),
      channel: 'telegram',
      poll: (signal) =>
        new Promise<void>((resolve) => {
          polling = true;
          signal.addEventListener('abort', () => {
            polling = false;
            stoppedWhileRenewalPending = renewalPending();
            resolve();
          });
        }),
    });
    await until(() => polling);
    await until(() => renewalPending());
    await until(() => !polling);
    expect(stoppedWhileRenewalPending).toBe(true);
    unstall();
    stop.abort();
    await leading;
  });
});
