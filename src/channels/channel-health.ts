import type { ChannelName } from '../core/types.js';
import type { HealthRegistry } from '../runtime/types.js';

const CHANNEL_PREFIX = 'channels.';

/**
 * The health registry as channel code should see it. A channel with an unset secret refuses
 * every request of some kind (fail closed), so it is never fully healthy: its `ok` reports — at
 * start, and after each delivered reply — are held at `degraded` with the configuration reason,
 * and /health keeps showing the gap until the config is fixed. Every other report passes through.
 */
export function holdUnverifiableChannels(
  health: HealthRegistry,
  unverifiable: Partial<Record<ChannelName, string>>,
): HealthRegistry {
  const reasonFor = (component: string): string | undefined => {
    if (!component.startsWith(CHANNEL_PREFIX)) return undefined;
    const name = component.slice(CHANNEL_PREFIX.length);
    return Object.hasOwn(unverifiable, name)
      ? unverifiable[name as keyof typeof unverifiable]
      : undefined;
  };
  return {
    report(component, status, error) {
      const reason = status === 'ok' ? reasonFor(component) : undefined;
      if (reason === undefined) health.report(component, status, error);
      else health.report(component, 'degraded', reason);
    },
    markRestart: (component) => health.markRestart(component),
    snapshot: () => health.snapshot(),
    overall: () => health.overall(),
  };
}
