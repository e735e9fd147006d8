import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { requireAgents, requireDefaultProvider } from '../config/startup-checks.js';
import { agentTurn } from '../core/agent-turn.js';
import { createDispatch } from '../core/dispatch.js';
import { routerFromConfig } from '../core/router.js';
import { auditStage } from '../core/stages/audit-stage.js';
import { idempotencyStage } from '../core/stages/idempotency-stage.js';
import { memoryStage } from '../core/stages/memory-stage.js';
import { buildStages } from '../core/stages/registry.js';
import type { AgentSpec, Dispatch, NamedStage } from '../core/types.js';
import type { StageEntry, StageTable } from '../config/pipeline-schema.js';
import { normalizeStage } from '../config/pipeline-schema.js';
import type { AuditLog } from '../core/audit/audit-log.js';
import { createFileAuditLog, createLoggerAuditLog } from '../core/audit/audit-log.js';
import { budgetStage } from '../core/stages/budget-stage.js';
import { rateLimitStage } from '../core/stages/rate-limit-stage.js';
import { createIdempotency } from '../limits/idempotency.js';
import { createTokenBudget } from '../limits/token-budget.js';
import { createMemory } from '../memory/create-memory.js';
import type { Memory } from '../memory/types.js';
import type { Observer } from '../observability/types.js';
import { createProviders } from '../providers/registry.js';
import type { StateStore } from '../state/types.js';

type RateLimitTable = Extract<StageTable, { name: 'rate_limit' }>;
type BudgetTable = Extract<StageTable, { name: 'budget' }>;

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
  /** Every configured agent, the default first (the `/v1/models` list). */
  agents: AgentSpec[];
  memory: Memory;
  /** The audit log when `audit` is configured: `reopen()` on SIGHUP, `close()` at shutdown. */
  auditLog?: AuditLog;
}

/** Builds providers → default agent → configured stages → dispatch. */
export function wireMessagePath(options: MessagePathOptions): MessagePath {
  const { config, home, store, observer, logger } = options;
  const providers = createProviders(config);
  requireDefaultProvider(config, providers);
  const agents = requireAgents(config, providers);
  const agent = agents.get('default') as AgentSpec;
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
  // Several rate_limit / budget stages may be configured: each counts in its own bucket.
  let rateLimits = 0;
  let budgets = 0;
  const shared = {
    idempotency: idempotencyStage(idempotency),
    memory: memoryStage({ memory, autoSave: config.memory.auto_save, observer, logger }),
    audit: () => {
      throw new Error('audit is wired outermost by wireMessagePath');
    },
    rateLimit: (table: RateLimitTable) =>
      rateLimitStage({
        store,
        bucket: `rate_limit.${(rateLimits += 1) - 1}`,
        perMinute: table.per_minute,
        key: table.key,
        channels: table.channels,
        maxKeys: gateway.rate_limit_max_keys,
      }),
    budget: (table: BudgetTable) =>
      budgetStage({
        budget: createTokenBudget({
          store,
          bucket: `budget.${(budgets += 1) - 1}`,
          tokensPerDay: table.tokens_per_day,
        }),
        key: table.key,
        channels: table.channels,
        logger,
      }),
  };
  const { pipeline } = config;
  const audit = wireAudit([...pipeline.inbound, ...pipeline.outbound], { config, home, logger });
  const notAudit = (entry: StageEntry): boolean => normalizeStage(entry).name !== 'audit';
  const dispatch = createDispatch({
    // Audit runs outermost wherever it is listed, so no stage can end a turn unrecorded.
    inbound: [
      ...(audit === undefined ? [] : [audit.stage]),
      ...buildStages(pipeline.inbound.filter(notAudit), 'inbound', shared),
    ],
    outbound: buildStages(pipeline.outbound.filter(notAudit), 'outbound', shared),
    router: routerFromConfig(config, agents),
    agent: agentTurn({ providers, observer }),
  });
  const others = [...agents.values()].filter((spec) => spec !== agent);
  return {
    dispatch,
    agent,
    agents: [agent, ...others],
    memory,
    ...(audit === undefined ? {} : { auditLog: audit.log }),
  };
}

/** The audit stage and its log, when `audit` is listed (once; the schema refuses more). */
function wireAudit(
  entries: readonly StageEntry[],
  options: Pick<MessagePathOptions, 'config' | 'home' | 'logger'>,
): { stage: NamedStage; log: AuditLog } | undefined {
  const { config, home, logger } = options;
  const table = entries.map(normalizeStage).find((entry) => entry.name === 'audit');
  if (table === undefined || table.name !== 'audit') return undefined;
  const log =
    table.destination === 'log'
      ? createLoggerAuditLog(logger)
      : // A relative path is under $GATEHOUSE_HOME, like the other state files.
        createFileAuditLog(resolve(home, table.destination), logger);
  const stage = auditStage({
    log,
    includeTokenClaims: table.include_token_claims,
    includeMessageBody: table.include_message_body,
    jwtIssuer: config.gateway.auth.jwt_issuer,
  });
  return { stage, log };
}
