import type { Config } from '../config/schema.js';
import type { Provider } from '../providers/types.js';
import type { RouteDecision, RouteInput, RoutingRule } from './routing/rules.js';
import { compileRules, DEFAULT_AGENT, routeMessage } from './routing/rules.js';
import type { AgentSpec, InboundMessage, Principal } from './types.js';

/** The agent chosen for a message, with the rule that chose it. */
export interface RoutedAgent {
  agent: AgentSpec;
  ruleIndex?: number;
}

/**
 * Picks the agent that handles a message. `requested` (an agent the client named) is used when
 * no rule matches, it exists and no rule names it: an agent a rule names is reached only through
 * that rule (e.g. one reserved to a scope), so naming it cannot step around the rule.
 */
export type AgentRouter = (
  message: InboundMessage,
  principal: Principal,
  requested?: string,
) => RoutedAgent;

/** The default agent described by the top-level keys and `[agent]`. */
export function defaultAgentSpec(config: Config, provider: Provider): AgentSpec {
  return {
    name: DEFAULT_AGENT,
    provider: config.default_provider,
    model: config.default_model ?? provider.defaultModel,
    systemPrompt: config.agent.system_prompt,
    temperature: config.default_temperature,
    maxTokens: config.agent.max_tokens,
    historyWindow: config.agent.history_window,
  };
}

/** A config mistake in `[agents]` or `[[routing.rules]]`: the dotted key and what is wrong. */
export interface AgentConfigProblem {
  key: string;
  message: string;
}

/**
 * Every agent a rule may name, or the problems that stop start-up: an agent naming an unknown
 * provider, a rule naming an unknown agent, an `[agents.default]` section (the default agent is
 * the top-level keys). Pure: `providers` are the already-built clients by section name.
 */
export function resolveAgents(
  config: Config,
  providers: ReadonlyMap<string, Provider>,
): { agents: Map<string, AgentSpec>; problems: AgentConfigProblem[] } {
  const problems: AgentConfigProblem[] = [];
  const agents = new Map<string, AgentSpec>();
  const defaultProvider = providers.get(config.default_provider);
  if (defaultProvider === undefined) {
    problems.push({ key: 'default_provider', message: `no provider "${config.default_provider}"` });
    return { agents, problems };
  }
  const base = defaultAgentSpec(config, defaultProvider);
  agents.set(DEFAULT_AGENT, base);
  for (const [name, section] of Object.entries(config.agents)) {
    if (name === DEFAULT_AGENT) {
      problems.push({
        key: 'agents.default',
        message: 'the default agent is defined by default_provider, default_model and [agent]',
      });
      continue;
    }
    const providerName = section.provider ?? base.provider;
    const provider = providers.get(providerName);
    if (provider === undefined) {
      problems.push({
        key: `agents.${name}.provider`,
        message: `no provider "${providerName}"; known: ${[...providers.keys()].join(', ')}`,
      });
      continue;
    }
    // The default agent's model only makes sense on the default agent's provider.
    const model =
      section.model ?? (providerName === base.provider ? base.model : provider.defaultModel);
    agents.set(name, {
      name,
      provider: providerName,
      model,
      systemPrompt: section.system_prompt ?? base.systemPrompt,
      temperature: section.temperature ?? base.temperature,
      maxTokens: section.max_tokens ?? base.maxTokens,
      historyWindow: section.history_window ?? base.historyWindow,
    });
  }
  for (const [index, rule] of config.routing.rules.entries()) {
    if (!agents.has(rule.agent) && config.agents[rule.agent] === undefined) {
      problems.push({
        key: `routing.rules[${index}].agent`,
        message: `no agent "${rule.agent}"; define [agents.${rule.agent}] or use "default"`,
      });
    }
  }
  return { agents, problems };
}

/** The subject a sender glob may match: the JWT `sub`, or `paired:<prefix>` for a paired token. */
export function principalSubject(principal: Principal): string | undefined {
  if (principal.kind === 'jwt') return principal.id.replace(/^jwt:/, '');
  if (principal.kind === 'paired') return principal.id;
  return undefined;
}

const NO_RULE: RouteDecision = Object.freeze({ agent: DEFAULT_AGENT });

/** Routes by the compiled `[[routing.rules]]`; every agent a rule names must be in `agents`. */
export function createAgentRouter(
  agents: ReadonlyMap<string, AgentSpec>,
  rules: readonly RoutingRule[],
): AgentRouter {
  const reserved = new Set(rules.map((rule) => rule.agent));
  // Frozen copies, handed out as they are: no turn can change the spec another turn gets.
  const specs = new Map(
    [...agents].map(([name, spec]): [string, AgentSpec] => [name, Object.freeze({ ...spec })]),
  );
  function decide(message: InboundMessage, principal: Principal): RouteDecision {
    // No rules: every message goes to the default agent, with nothing to look at.
    if (rules.length === 0) return NO_RULE;
    const input: RouteInput = {
      channel: message.channel,
      senderId: message.senderId,
      scopes: principal.scopes,
      text: message.text,
    };
    const subject = principalSubject(principal);
    if (subject !== undefined) input.subject = subject;
    return routeMessage(rules, input);
  }
  return function routeToAgent(message, principal, requested) {
    const decision = decide(message, principal);
    if (decision.ruleIndex === undefined && requested !== undefined && !reserved.has(requested)) {
      const chosen = specs.get(requested);
      if (chosen !== undefined) return { agent: chosen };
    }
    const agent = specs.get(decision.agent) ?? specs.get(DEFAULT_AGENT);
    if (agent === undefined) throw new Error(`no agent "${decision.agent}" (checked at start-up)`);
    const routed: RoutedAgent = { agent };
    if (decision.ruleIndex !== undefined) routed.ruleIndex = decision.ruleIndex;
    return routed;
  };
}

/** Routes every message to one agent. */
export function singleAgentRouter(agent: AgentSpec): AgentRouter {
  return createAgentRouter(new Map([[DEFAULT_AGENT, { ...agent, name: agent.name }]]), []);
}

/** Builds the router from config: `[agents]` plus `[[routing.rules]]`, already checked. */
export function routerFromConfig(
  config: Config,
  agents: ReadonlyMap<string, AgentSpec>,
): AgentRouter {
  return createAgentRouter(agents, compileRules(config.routing.rules));
}
