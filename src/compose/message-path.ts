import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { requireDefaultProvider } from '../config/startup-checks.js';
import { agentTurn } from '../core/agent-turn.js';
import { createDispatch } from '../core/dispatch.js';
import { defaultAgentSpec, singleAgentRouter } from '../core/router.js';
import { auditStage } from '../core/stages/audit-stage.js';
import { idempotencyStage } from '../core/stages/idempotency-stage.js';
import { memoryStage } from '../core/stages/memory-stage.js';
import { selectStages } from '../core/stages/registry.js';
import type { AgentSpec, Dispatch } from '../core/types.js';
import { createIdempotency } from '../limits/idempotency.js';
import { createMemory } from '../memory/create-memory.js';
import type { Memory } from '../memory/types.js';
import type { Observer } from '../observability/types.js';
import { createProviders } from '../providers/registry.js';
import type { StateStore } from '../state/types.js';

export interface MessagePathOptions {
  config: Config;
  home: string;
  store: StateStore;
  observer: Observer;
  logger: Logger;
}

/** The core dispatch with its providers, agent, stages and memory. */
export interface MessagePath {
  dispatch: Dispatch;
  agent: AgentSpec;
  memory: Memory;
}

/** Builds providers → default agent → configured stages → dispatch. */
export function wireMessagePath(options: MessagePathOptions): MessagePath {
  const { config, home, store, observer, logger } = options;
  const providers = createProviders(config);
  const provider = requireDefaultProvider(config, providers);
  const agent = defaultAgentSpec(config, provider);
  const memory = createMemory({
    backend: config.memory.backend,
    path: config.memory.path ?? join(home, 'memory.db'),
    url: config.memory.url,
  });
  const gateway = config.gateway;
  const idempotency = createIdempotency({
    store,
    ttlMs: gateway.idempotency_ttl_secs * 1000,
    maxKeys: gateway.idempotency_max_keys,
    inFlightTtlMs: gateway.request_timeout_secs * 1000 + 5000,
  });
  const available = {
    idempotency: idempotencyStage(idempotency),
    memory: memoryStage({ memory, autoSave: config.memory.auto_save, observer, logger }),
    audit: auditStage(logger),
  };
  const dispatch = createDispatch({
    inbound: selectStages(config.pipeline.inbound, available),
    outbound: selectStages(config.pipeline.outbound, available),
    router: singleAgentRouter(agent),
    agent: agentTurn({ providers, observer }),
  });
  return { dispatch, agent, memory };
}
