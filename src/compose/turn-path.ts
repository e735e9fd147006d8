import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { StageEntry, StageTable } from '../config/pipeline-schema.js';
import { normalizeStage } from '../config/pipeline-schema.js';
import { requireAgents, requireDefaultProvider } from '../config/startup-checks.js';
import type { AuditLogs } from '../core/audit/audit-logs.js';
import { agentTurn } from '../core/agent-turn.js';
import { createDispatch } from '../core/dispatch.js';
import { routerFromConfig } from '../core/router.js';
import { auditStage } from '../core/stages/audit-stage.js';
import { budgetStage } from '../core/stages/budget-stage.js';
import { rateLimitStage } from '../core/stages/rate-limit-stage.js';
import { buildStages } from '../core/stages/registry.js';
import type { AgentSpec, Dispatch, NamedStage } from '../core/types.js';
import { createTokenBudget } from '../limits/token-budget.js';
import type { Observer } from '../observability/types.js';
import { createProviders } from '../providers/registry.js';
import { stageBucket } from './stage-buckets.js';
import type { StateStore } from '../state/types.js';

type RateLimitTable = Extract<StageTable, { name: 'rate_limit' }>;
type BudgetTable = Extract<StageTable, { name: 'budget' }>;

/** What every build of the turn path shares: state that must outlive a reload. */
export interface TurnPathParts {
  store: StateStore;
  observer: Observer;
  logger: Logger;
  /** Built once: its in-flight claims must survive a reload. */
  idempotency: NamedStage;
  /** Built once over the one conversation store. */
  memory: NamedStage;
  auditLogs: AuditLogs;
}

/** One immutable build of providers → agents → router → stages → dispatch. */
export interface TurnPath {
  dispatch: Dispatch;
  /** Every configured agent, the default first (the `/v1/models` list). */
  agents: readonly AgentSpec[];
}

/**
 * Builds the turn path from `config` (at start-up, and again on every reload). Limits and budgets
 * keep their counts across builds: they live in the StateStore under buckets named by what each
 * stage counts (`stageBucket`), which a rebuild names the same way.
 * @throws ConfigError when an agent or the default provider does not resolve (checked before a
 * reload applies anything, so a reload does not get here with such a config).
 */
export function buildTurnPath(config: Config, parts: TurnPathParts): TurnPath {
  const { store, observer, logger } = parts;
  const providers = createProviders(config);
  requireDefaultProvider(config, providers);
  const agents = requireAgents(config, providers);
  const { gateway, pipeline } = config;
  // Several rate_limit / budget stages may be configured: each counts in its own bucket, named
  // by what it counts so a reload that changes the list keeps every other stage's counts.
  const buckets = new Map<string, number>();
  const shared = {
    idempotency: parts.idempotency,
    memory: parts.memory,
    audit: () => {
      throw new Error('audit is wired outermost by buildTurnPath');
    },
    rateLimit: (table: RateLimitTable) =>
      rateLimitStage({
        store,
        bucket: stageBucket('rate_limit', table, buckets),
        perMinute: table.per_minute,
        key: table.key,
        channels: table.channels,
        maxKeys: gateway.rate_limit_max_keys,
      }),
    budget: (table: BudgetTable) =>
      budgetStage({
        budget: createTokenBudget({
          store,
          bucket: stageBucket('budget', table, buckets),
          tokensPerDay: table.tokens_per_day,
        }),
        key: table.key,
        channels: table.channels,
        logger,
      }),
  };
  const audit = auditStageOf([...pipeline.inbound, ...pipeline.outbound], config, parts.auditLogs);
  const notAudit = (entry: StageEntry): boolean => normalizeStage(entry).name !== 'audit';
  const dispatch = createDispatch({
    // Audit runs outermost wherever it is listed, so no stage can end a turn unrecorded.
    inbound: [
      ...(audit === undefined ? [] : [audit]),
      ...buildStages(pipeline.inbound.filter(notAudit), 'inbound', shared),
    ],
    outbound: buildStages(pipeline.outbound.filter(notAudit), 'outbound', shared),
    router: routerFromConfig(config, agents),
    agent: agentTurn({ providers, observer }),
  });
  const defaultAgent = agents.get('default') as AgentSpec;
  const others = [...agents.values()].filter((spec) => spec !== defaultAgent);
  return { dispatch, agents: [defaultAgent, ...others] };
}

/** The audit stage when `audit` is listed (once; the schema refuses more). */
function auditStageOf(
  entries: readonly StageEntry[],
  config: Config,
  auditLogs: AuditLogs,
): NamedStage | undefined {
  const table = entries.map(normalizeStage).find((entry) => entry.name === 'audit');
  if (table === undefined || table.name !== 'audit') return undefined;
  return auditStage({
    log: auditLogs.forDestination(table.destination),
    includeTokenClaims: table.include_token_claims,
    includeMessageBody: table.include_message_body,
    jwtIssuer: config.gateway.auth.jwt_issuer,
  });
}
