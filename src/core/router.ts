import type { Config } from '../config/schema.js';
import type { Provider } from '../providers/types.js';
import type { AgentSpec, InboundMessage } from './types.js';

/** Picks the agent that handles a message. */
export type AgentRouter = (message: InboundMessage) => AgentSpec;

/** The default agent described by the top-level keys and `[agent]`. */
export function defaultAgentSpec(config: Config, provider: Provider): AgentSpec {
  return {
    name: 'default',
    provider: config.default_provider,
    model: config.default_model ?? provider.defaultModel,
    systemPrompt: config.agent.system_prompt,
    temperature: config.default_temperature,
    maxTokens: config.agent.max_tokens,
    historyWindow: config.agent.history_window,
  };
}

/** Routes every message to one agent; multi-agent rules (by channel, sender) slot in here. */
export function singleAgentRouter(agent: AgentSpec): AgentRouter {
  const frozen = Object.freeze({ ...agent });
  return function routeToDefaultAgent() {
    return { ...frozen };
  };
}
