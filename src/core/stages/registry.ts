import type { NamedStage } from '../types.js';

/** Stage names a config may list under `[pipeline]`. */
export const STAGE_NAMES = ['idempotency', 'memory', 'audit'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

/** Resolves configured stage names, in the configured order, to stage implementations. */
export function selectStages(
  names: readonly StageName[],
  available: Readonly<Record<StageName, NamedStage>>,
): NamedStage[] {
  return names.map((name) => available[name]);
}
