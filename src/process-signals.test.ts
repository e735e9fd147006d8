import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { GatewayHandle } from './gateway-handle.js';
import { gracefulStop, shutdownDeadlineMs, SHUTDOWN_GRACE_MS } from './process-signals.js';

function handleClosing(
  close: () => Promise<void>,
  shutdownTimeoutSecs = 10,
  shutdownDelaySecs = 0,
): GatewayHandle {
  return {
    close,
    config: {
      gateway: {
        shutdown_timeout_secs: shutdownTimeoutSecs,
        shutdown_delay_secs: shutdownDelaySecs,
      },
    },
  } as unknown as GatewayHandle;
}

describe('gracefulStop', () => {
  let exit: ReturnType<typeof vi.fn<(code: number) => void>>;
  let stderr: string;
  const options = () => ({
    deadlineMs: 1_000,
    exit,
    stderr: { write: (text: string) => (stderr += text) },
  });

  beforeEach(() => {
    vi.useFakeTimers();
    exit = vi.fn<(code: number) => void>();
    stderr = '';
  });
  afterEach(() => vi.useRealTimers());

  it('exits 0 once the close finishes, and not again at the deadline', async () => {
    gracefulStop(
      handleClosing(() => Promise.resolve()),
      options(),
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(exit.mock.calls).toEqual([[0]]);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(exit.mock.calls).toEqual([[0]]);
    expect(stderr).toBe('');
  });

  it('exits 1 with the reason when the close fails', async () => {
    gracefulStop(
      handleClosing(() => Promise.reject(new Error('disk gone'))),
      options(),
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(exit.mock.calls).toEqual([[1]]);
    expect(stderr).toContain('shutdown failed: Error: disk gone');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(exit.mock.calls).toEqual([[1]]);
  });

  it('exits 1 at the deadline when the close never finishes', async () => {
    gracefulStop(
      handleClosing(() => new Promise(() => undefined)),
      options(),
    );
    await vi.advanceTimersByTimeAsync(999);
    expect(exit).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(exit.mock.calls).toEqual([[1]]);
    expect(stderr).toContain('shutdown did not finish within 1 s');
  });

  it('gives the whole close twice the shutdown timeout and a grace for the stores', () => {
    const handle = handleClosing(() => Promise.resolve(), 7);
    expect(shutdownDeadlineMs(handle)).toBe(14_000 + SHUTDOWN_GRACE_MS);
  });

  it('adds the shutdown delay, during which nothing drains yet', () => {
    const handle = handleClosing(() => Promise.resolve(), 7, 20);
    expect(shutdownDeadlineMs(handle)).toBe(34_000 + SHUTDOWN_GRACE_MS);
  });
});
