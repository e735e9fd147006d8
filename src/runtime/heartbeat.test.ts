import { afterEach, beforeEach, describe, it, expect, vi } from 'vitest';
import type { ObserverEvent } from '../observability/types.js';
import { createHealthRegistry } from './health-registry.js';
import { createHeartbeat } from './heartbeat.js';

describe('createHeartbeat', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reports ok on start and emits a tick every interval until stopped', () => {
    const events: ObserverEvent[] = [];
    const health = createHealthRegistry();
    const heartbeat = createHeartbeat({
      intervalMs: 60_000,
      observer: { record: (e) => void events.push(e) },
      health,
    });
    heartbeat.start();
    expect(health.snapshot().heartbeat?.status).toBe('ok');
    vi.advanceTimersByTime(180_000);
    expect(events).toEqual([
      { type: 'HeartbeatTick' },
      { type: 'HeartbeatTick' },
      { type: 'HeartbeatTick' },
    ]);
    heartbeat.stop();
    vi.advanceTimersByTime(180_000);
    expect(events).toHaveLength(3);
  });

  it('does not start a second timer when started twice', () => {
    const events: ObserverEvent[] = [];
    const heartbeat = createHeartbeat({
      intervalMs: 1000,
      observer: { record: (e) => void events.push(e) },
      health: createHealthRegistry(),
    });
    heartbeat.start();
    heartbeat.start();
    vi.advanceTimersByTime(1000);
    expect(events).toHaveLength(1);
    heartbeat.stop();
  });
});
