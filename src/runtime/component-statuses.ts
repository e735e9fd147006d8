import type { ComponentHealth, HealthRegistry } from './types.js';

/** Every component and sub-component of the registry by dotted name (`channels.slack`) → status. */
export function componentStatuses(health: HealthRegistry): Record<string, string> {
  const statuses: Record<string, string> = {};
  const walk = (prefix: string, components: Record<string, ComponentHealth>): void => {
    for (const [name, component] of Object.entries(components)) {
      const dotted = prefix === '' ? name : `${prefix}.${name}`;
      statuses[dotted] = component.status;
      if (component.components !== undefined) walk(dotted, component.components);
    }
  };
  walk('', health.snapshot());
  return statuses;
}
