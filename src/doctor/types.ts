import type { Config } from '../config/schema.js';

/** How urgent a finding is; `critical` makes `gatehouse doctor` exit 1. */
export type Severity = 'critical' | 'warning' | 'info';

/** Severities in the order findings are shown. */
export const SEVERITIES: readonly Severity[] = ['critical', 'warning', 'info'];

/** One result of the audit. Messages name keys, hosts and env vars, never a secret's value. */
export interface Finding {
  /** Stable kebab-case id, documented in docs/doctor.md. */
  id: string;
  severity: Severity;
  /** The config key the finding concerns, when there is one (dotted path). */
  key?: string;
  message: string;
  fix: string;
}

/** Permission bits (`mode & 0o777`) of a file that exists. */
export interface FileMode {
  path: string;
  mode: number;
}

/** A state file in the state directory (or where the config puts it) and its permission bits. */
export interface StateFile extends FileMode {
  /** True for files whose content grants access (jwt.secret, admin.secret). */
  grantsAccess: boolean;
}

/** The answer of a `GET /health` probe. */
export type HealthProbe =
  { ok: true; status: string; tunnelUrl?: string } | { ok: false; reason: string };

/** What is known about a running gateway, from `$GATEHOUSE_HOME/gateway.json` and probes. */
export type GatewayFacts =
  | { state: 'not-running'; runtimeFile: string }
  | { state: 'stale'; runtimeFile: string; pid: number }
  | {
      state: 'running';
      url: string;
      pid: number;
      health: HealthProbe;
      /** The public URL probed (public_url, the named tunnel's URL or the tunnel's), if any. */
      publicUrl?: { url: string; key?: string; health: HealthProbe };
    };

/** Everything the checks need besides the config, gathered by `gatherDoctorFacts`. */
export interface DoctorFacts {
  /** `mode` is absent when the file does not exist or permissions do not apply (Windows). */
  configFile: { path: string; exists: boolean; mode?: number };
  /** The state directory; `mode` absent when it does not exist or on Windows. */
  stateDir: { path: string; mode?: number };
  /** Existing state files; empty on Windows. */
  stateFiles: readonly StateFile[];
  /** Secrets written in the config file itself, with the env var that could carry each. */
  fileSecrets: ReadonlyArray<{ key: string; env: string }>;
  /** The tunnel executable, when a tunnel provider is configured. */
  tunnelBinary?: { key: string; name: string; found: boolean };
  gateway: GatewayFacts;
}

/** A check: pure, from the validated config and the gathered facts to findings. */
export type DoctorCheck = (config: Config, facts: DoctorFacts) => Finding[];
