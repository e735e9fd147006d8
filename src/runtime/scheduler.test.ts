import { afterEach, beforeEach, describe, it, expect, vi } from 'vitest';
import type { ObserverEvent } from '../observability/types.js';
import { createHealthRegistry } from './health-registry.js';
import { createScheduler } from './scheduler.js';

describe('createScheduler', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reports ok once started and runs jobs on their interval', async () => {
    const health = createHealthRegistry();
    const scheduler = createScheduler({ health });
    let runs = 0;
    scheduler.every('sweep', 1000, () => {
      runs += 1;
    });
    await vi.advanceTimersByTimeAsync(5000);
    expect(runs).toBe(0);
    expect(health.snapshot().scheduler?.status).toBe('starting');

    scheduler.start();
    expect(health.snapshot().scheduler?.status).toBe('ok');
    await vi.advanceTimersByTimeAsync(3000);
    expect(runs).toBe(3);
    scheduler.stop();
    await vi.advanceTimersByTimeAsync(3000);
    expect(runs).toBe(3);
  });

  it('degrades on a failing job with a sanitized error and keeps running it', async () => {
    const health = createHealthRegistry();
    const events: ObserverEvent[] = [];
    const scheduler = createScheduler({ health, observer: { record: (e) => void events.push(e) } });
    let runs = 0;
    scheduler.every('revocations', 1000, async () => {
      runs += 1;
      if (runs <= 2) throw new Error('redis auth failed: password=hunter2hunter2');
    });
    scheduler.start();

    await vi.advanceTimersByTimeAsync(1000);
    const degraded = health.snapshot().scheduler;
    expect(degraded?.status).toBe('degraded');
    expect(degraded?.last_error).toBe('redis auth failed: password=[REDACTED]');
    expect(events[0]).toEqual({
      type: 'Error',
      component: 'scheduler.revocations',
      message: 'redis auth failed: password=[REDACTED]',
    });

    await vi.advanceTimersByTimeAsync(2000);
    expect(runs).toBe(3);
    expect(health.snapshot().scheduler?.status).toBe('ok');
    scheduler.stop();
  });

  it('does not overlap runs of a job that is still running', async () => {
    const scheduler = createScheduler({ health: createHealthRegistry() });
    let active = 0;
    let maxActive = 0;
    scheduler.every('slow', 100, async () => {
      active += 1;
      maxActive = Math.max(maxActive, active);
      await new Promise((resolve) => setTimeout(resolve, 350));
      active -= 1;
    });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(1000);
    expect(maxActive).toBe(1);
    scheduler.stop();
  });

  it('refuses a duplicate job name', () => {
    const scheduler = createScheduler({ health: createHealthRegistry() });
    scheduler.every('sweep', 1000, () => undefined);
    expect(() => scheduler.every('sweep', 1000, () => undefined)).toThrow(/already registered/);
  });
});
