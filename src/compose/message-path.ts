import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { AuditLogs } from '../core/audit/audit-logs.js';
import { createAuditLogs } from '../core/audit/audit-logs.js';
import { idempotencyStage } from '../core/stages/idempotency-stage.js';
import { memoryStage } from '../core/stages/memory-stage.js';
import type { AgentSpec, Dispatch } from '../core/types.js';
import { createIdempotency } from '../limits/idempotency.js';
import { createMemory } from '../memory/create-memory.js';
import type { Memory } from '../memory/types.js';
import type { Observer } from '../observability/types.js';
import type { StateStore } from '../state/types.js';
import type { TurnPath, TurnPathParts } from './turn-path.js';
import { buildTurnPath } from './turn-path.js';

export interface MessagePathOptions {
  config: Config;
  home: string;
  store: StateStore;
  observer: Observer;
  logger: Logger;
}

/** The core dispatch with its providers, agents, stages and memory. */
export interface MessagePath {
  /** Each turn runs on the path built from the config as it was when the turn began. */
  dispatch: Dispatch;
  /** Every configured agent now, the default first (the `/v1/models` list). */
  agents(): readonly AgentSpec[];
  memory: Memory;
  /** Audit logs (`reopen()` on SIGHUP, `close()` at shutdown); empty without an `audit` stage. */
  auditLogs: AuditLogs;
  /**
   * Builds providers, agents, routing and stages again from the running config and swaps them in
   * for new turns (a reload hook). Turns already running finish on the build they started with.
   * @throws ConfigError when the config does not resolve; the previous build stays in use.
   */
  rebuild(): void;
}

/**
 * Builds what outlives a reload (memory, idempotency, audit files), then the first turn path.
 * Memory and idempotency depend only on restart-only keys; everything read from the hot keys
 * (providers, agents, routing, the pipeline) is in the rebuildable turn path.
 */
export function wireMessagePath(options: MessagePathOptions): MessagePath {
  const { config, home, store, observer, logger } = options;
  const memory = createMemory({
    backend: config.memory.backend,
    path: config.memory.path ?? join(home, 'memory.db'),
    url: config.memory.url,
    onCheckpointError: (message) =>
      logger.warn(
        { error: message },
        'memory checkpoint failed; the writer will checkpoint itself',
      ),
  });
  const gateway = config.gateway;
  const idempotency = createIdempotency({
    store,
    ttlMs: gateway.idempotency_ttl_secs * 1000,
    maxKeys: gateway.idempotency_max_keys,
    inFlightTtlMs: gateway.request_timeout_secs * 1000 + 5000,
  });
  const auditLogs = createAuditLogs({ home, logger });
  const parts: TurnPathParts = {
    store,
    observer,
    logger,
    idempotency: idempotencyStage(idempotency),
    memory: memoryStage({ memory, autoSave: config.memory.auto_save, observer, logger }),
    auditLogs,
  };
  let current: TurnPath = buildTurnPath(config, parts);
  return {
    dispatch: function dispatchOnCurrentPath(request) {
      // Read once: the whole turn, streamed reply included, runs on this one build.
      return current.dispatch(request);
    },
    agents: () => current.agents,
    memory,
    auditLogs,
    rebuild() {
      current = buildTurnPath(config, parts);
    },
  };
}
