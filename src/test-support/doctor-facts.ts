import { configSchema } from '../config/schema.js';
import type { Config } from '../config/schema.js';
import type { DoctorFacts } from '../doctor/types.js';

/*
 * Inputs for the pure doctor checks: a config validated by the real schema from a partial raw
 * document, and facts describing a tidy machine (private files, no secrets in the file, no
 * tunnel, no gateway running) that each test changes in one place.
 */

/** A validated config from a partial TOML-shaped object; defaults fill the rest. */
export function doctorConfig(raw: Record<string, unknown> = {}): Config {
  return configSchema.parse(raw);
}

/** Facts of a clean loopback install, with `overrides` applied on top. */
export function doctorFacts(overrides: Partial<DoctorFacts> = {}): DoctorFacts {
  return {
    configFile: { path: '/home/op/.gatehouse/config.toml', exists: true, mode: 0o600 },
    stateDir: { path: '/home/op/.gatehouse', mode: 0o700 },
    stateFiles: [],
    fileSecrets: [],
    gateway: { state: 'not-running', runtimeFile: '/home/op/.gatehouse/gateway.json' },
    ...overrides,
  };
}
