import { describeError } from '../observability/redact.js';
import type { ComponentHealth, ComponentStatus, HealthRegistryWithUrls } from './types.js';

/** Options for createHealthRegistry. */
export interface HealthRegistryOptions {
  /** Top-level components shown from the start (as `starting`). */
  components?: readonly string[];
  /** Clock, injectable for tests. */
  now?: () => number;
}

/** The components /health always lists. */
export const CORE_COMPONENTS = ['gateway', 'channels', 'heartbeat', 'scheduler'] as const;

interface Node {
  status: ComponentStatus;
  updatedAt: number;
  lastError: string | undefined;
  restarts: number;
  url: string | undefined;
  children: Map<string, Node> | undefined;
}

const SEVERITY: Record<ComponentStatus, number> = { ok: 0, starting: 1, degraded: 2, error: 3 };

function worst(a: ComponentStatus, b: ComponentStatus): ComponentStatus {
  return SEVERITY[b] > SEVERITY[a] ? b : a;
}

/** In-memory health registry; `channels.slack` is a sub-component of `channels`. */
export function createHealthRegistry(options: HealthRegistryOptions = {}): HealthRegistryWithUrls {
  const now = options.now ?? Date.now;
  const roots = new Map<string, Node>();
  let revision = 0;

  const newNode = (): Node => ({
    status: 'starting',
    updatedAt: now(),
    lastError: undefined,
    restarts: 0,
    url: undefined,
    children: undefined,
  });

  function resolve(component: string): Node {
    let level = roots;
    let node: Node | undefined;
    for (const part of component.split('.')) {
      node = level.get(part);
      if (node === undefined) {
        node = newNode();
        level.set(part, node);
      }
      node.children ??= new Map();
      level = node.children;
    }
    if (node === undefined) throw new RangeError('component name must not be empty');
    return node;
  }

  for (const name of options.components ?? CORE_COMPONENTS) resolve(name);

  /** A parent shows the worst of its own status and its sub-components'. */
  function effectiveStatus(node: Node): ComponentStatus {
    let status = node.status;
    for (const child of node.children?.values() ?? [])
      status = worst(status, effectiveStatus(child));
    return status;
  }

  function toHealth(node: Node): ComponentHealth {
    const health: ComponentHealth = {
      status: effectiveStatus(node),
      last_update: new Date(node.updatedAt).toISOString(),
      restart_count: node.restarts,
    };
    if (node.lastError !== undefined) health.last_error = node.lastError;
    if (node.url !== undefined) health.url = node.url;
    if (node.children !== undefined && node.children.size > 0) {
      health.components = Object.fromEntries(
        [...node.children].map(([name, child]) => [name, toHealth(child)]),
      );
    }
    return health;
  }

  return {
    report(component, status, error) {
      const node = resolve(component);
      node.status = status;
      node.updatedAt = now();
      if (error !== undefined) node.lastError = describeError(error);
      revision += 1;
    },
    markRestart(component) {
      const node = resolve(component);
      node.restarts += 1;
      node.updatedAt = now();
      revision += 1;
    },
    setUrl(component, url) {
      const node = resolve(component);
      node.url = url;
      node.updatedAt = now();
    },
    snapshot() {
      return Object.fromEntries([...roots].map(([name, node]) => [name, toHealth(node)]));
    },
    revision: () => revision,
    overall() {
      let status: ComponentStatus = 'ok';
      for (const node of roots.values()) status = worst(status, effectiveStatus(node));
      return status;
    },
  };
}
