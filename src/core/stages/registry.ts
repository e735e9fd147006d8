import type { StageEntry, StageTable } from '../../config/pipeline-schema.js';
import { normalizeStage } from '../../config/pipeline-schema.js';
import type { NamedStage } from '../types.js';
import { contentFilterStage } from './content-filter-stage.js';

/** Where a stage is listed: before the agent, or on the reply's way out. */
export type StagePosition = 'inbound' | 'outbound';

/** Stages that exist once per gateway (their state is shared by both lists). */
export interface SharedStages {
  idempotency: NamedStage;
  memory: NamedStage;
  /** The one audit stage (listed once, it records both directions). */
  audit: (options: Extract<StageTable, { name: 'audit' }>) => NamedStage;
  rateLimit?: (options: Extract<StageTable, { name: 'rate_limit' }>) => NamedStage;
  budget?: (options: Extract<StageTable, { name: 'budget' }>) => NamedStage;
}

/** Resolves configured stages (names or tables), in the configured order, to implementations. */
export function buildStages(
  entries: readonly StageEntry[],
  position: StagePosition,
  shared: SharedStages,
): NamedStage[] {
  return entries.map((entry) => buildStage(normalizeStage(entry), position, shared));
}

function buildStage(table: StageTable, position: StagePosition, shared: SharedStages): NamedStage {
  switch (table.name) {
    case 'idempotency':
      return shared.idempotency;
    case 'memory':
      return shared.memory;
    case 'audit':
      return shared.audit(table);
    case 'content_filter':
      return contentFilterStage({
        blockPatterns: table.block_patterns,
        action: table.action,
        message: table.message,
        position,
      });
    case 'rate_limit':
      if (shared.rateLimit === undefined) throw new Error('rate_limit stage is not wired');
      return shared.rateLimit(table);
    case 'budget':
      if (shared.budget === undefined) throw new Error('budget stage is not wired');
      return shared.budget(table);
  }
}
