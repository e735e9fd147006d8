import pino, { type Logger } from 'pino';
import type { ObserverEvent, Observer } from '../observability/types.js';
import type { ComponentHealth, ComponentStatus, HealthRegistry } from '../runtime/types.js';

/** An Observer that keeps every event for assertions. */
export function recordingObserver(): Observer & { events: ObserverEvent[] } {
  const events: ObserverEvent[] = [];
  return { events, record: (event) => void events.push(event) };
}

/** A HealthRegistry that keeps the last status per component. */
export function recordingHealth(): HealthRegistry & { last: Map<string, ComponentStatus> } {
  const last = new Map<string, ComponentStatus>();
  return {
    last,
    report: (component, status) => void last.set(component, status),
    markRestart: () => undefined,
    snapshot: () => ({}) as Record<string, ComponentHealth>,
    overall: () => 'ok',
  };
}

/** A logger that writes nothing. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
