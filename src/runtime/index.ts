export type {
  ComponentHealth,
  ComponentStatus,
  HealthRegistry,
  HealthRegistryWithUrls,
  Scheduler,
} from './types.js';
export { CORE_COMPONENTS, createHealthRegistry } from './health-registry.js';
export type { HealthRegistryOptions } from './health-registry.js';
export { createHeartbeat } from './heartbeat.js';
export type { Heartbeat, HeartbeatOptions } from './heartbeat.js';
export { createScheduler } from './scheduler.js';
export type { RuntimeScheduler, SchedulerOptions } from './scheduler.js';
