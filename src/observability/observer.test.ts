import { describe, it, expect } from 'vitest';
import { createLogger } from './logger.js';
import { createObserver } from './observer.js';
import type { ObserverEvent } from './types.js';

function captureLogger(): {
  lines: Array<Record<string, unknown>>;
  logger: ReturnType<typeof createLogger>;
} {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({
    level: 'info',
    destination: {
      write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>),
    },
  });
  return { lines, logger };
}

describe('createObserver', () => {
  it('feeds every event to the metrics', () => {
    const seen: ObserverEvent[] = [];
    const observer = createObserver({
      metrics: { observe: (e) => void seen.push(e) },
      logEvents: false,
    });
    observer.record({ type: 'HeartbeatTick' });
    observer.record({ type: 'ActiveSessions', count: 1 });
    expect(seen.map((e) => e.type)).toEqual(['HeartbeatTick', 'ActiveSessions']);
  });

  it('logs each event at info when log events are on', () => {
    const { lines, logger } = captureLogger();
    const observer = createObserver({ logger, logEvents: true });
    observer.record({ type: 'HeartbeatTick' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 30, msg: 'HeartbeatTick' });
  });

  it('logs error events at warn even when log events are off', () => {
    const { lines, logger } = captureLogger();
    const observer = createObserver({ logger, logEvents: false });
    observer.record({ type: 'HeartbeatTick' });
    observer.record({ type: 'Error', component: 'scheduler', message: 'sweep failed' });
    observer.record({
      type: 'LlmResponse',
      provider: 'p',
      model: 'm',
      durationMs: 1,
      success: false,
    });
    expect(lines.map((l) => l.level)).toEqual([40, 40]);
    expect(lines[0]).toMatchObject({ component: 'scheduler', error: 'sweep failed' });
  });

  it('never throws when a sink fails', () => {
    const observer = createObserver({
      metrics: {
        observe: () => {
          throw new Error('broken sink');
        },
      },
      logEvents: false,
    });
    expect(() => observer.record({ type: 'HeartbeatTick' })).not.toThrow();
  });
});
