import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import type { Config } from '../config/schema.js';
import type { Memory } from '../memory/types.js';
import { CORE_COMPONENTS } from '../runtime/index.js';
import type { HealthRegistry, Scheduler } from '../runtime/types.js';

/** /health components: the core ones plus the servers this configuration depends on. */
export function serviceComponents(config: Config): string[] {
  const components: string[] = [...CORE_COMPONENTS];
  if (config.state.backend === 'redis') components.push('redis');
  if (config.memory.backend === 'postgres') components.push('postgres');
  return components;
}

/** Reports `postgres` in /health: migrated at start, then pinged by the scheduler. */
export async function watchMemoryHealth(
  memory: Pick<Memory, 'ping'>,
  health: HealthRegistry,
  scheduler: Scheduler,
  logger: Logger,
): Promise<void> {
  const ping = memory.ping?.bind(memory);
  if (ping === undefined) return;
  let up: boolean | undefined;
  const check = async (): Promise<void> => {
    try {
      await ping();
      if (up !== true) logger.info('postgres reachable');
      up = true;
      health.report('postgres', 'ok');
    } catch (error) {
      if (up !== false) logger.error({ err: error }, 'postgres unreachable');
      up = false;
      // Degraded, not down: the gateway still answers, only conversation history is missing.
      health.report('postgres', 'degraded', error);
    }
  };
  await check();
  scheduler.every('postgres-health', POSTGRES_PING_MS, check);
}

const POSTGRES_PING_MS = 5000;

/**
 * `gatehouse_instance_info{instance_id="…"} 1`: names the instance in /metrics without adding a
 * label to every series (the scraper's own `instance` label already keeps targets apart).
 */
export function registerInstanceInfo(registry: Registry, instanceId: string): void {
  const info = new Gauge({
    name: 'gatehouse_instance_info',
    help: 'Always 1; the instance_id label names this gateway instance',
    labelNames: ['instance_id'] as const,
    registers: [registry],
  });
  info.set({ instance_id: instanceId }, 1);
}
