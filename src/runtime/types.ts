/** Health state of one runtime component. */
export type ComponentStatus = 'starting' | 'ok' | 'degraded' | 'error';

/** What /health shows per component (snake_case because it is the wire format). */
export interface ComponentHealth {
  status: ComponentStatus;
  /** RFC 3339 time of the last report. */
  last_update: string;
  /** Sanitized; never a secret. */
  last_error?: string;
  restart_count: number;
  /** Public address the component serves (the tunnel's URL); absent when it has none. */
  url?: string;
  /** Sub-components, e.g. `channels.whatsapp`. */
  components?: Record<string, ComponentHealth>;
}

/** Components report into it; /health reads it. A dotted name (`channels.slack`) nests. */
export interface HealthRegistry {
  report(component: string, status: ComponentStatus, error?: unknown): void;
  markRestart(component: string): void;
  snapshot(): Record<string, ComponentHealth>;
  /** "ok" only when every component (and sub-component) is ok. */
  overall(): 'ok' | 'degraded' | 'error' | 'starting';
  /**
   * A number that changes whenever snapshot() or overall() would; lets /health reuse its last
   * serialized body. Optional: without it, callers rebuild every time.
   */
  revision?(): number;
}

/** A registry that can also show a component's public URL (the tunnel's). */
export interface HealthRegistryWithUrls extends HealthRegistry {
  /** Sets or clears (`undefined`) the public URL shown for the component. */
  setUrl(component: string, url: string | undefined): void;
}

/** Runs registered periodic jobs (store sweeps, revocation refresh) and reports as `scheduler`. */
export interface Scheduler {
  every(name: string, intervalMs: number, job: () => void | Promise<void>): void;
  stop(): void;
}
