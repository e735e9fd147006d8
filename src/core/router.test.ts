import { describe, expect, it } from 'vitest';
import { formatConfigIssues } from '../config/issues.js';
import { configSchema } from '../config/schema.js';
import type { Provider } from '../providers/types.js';
import { createAgentRouter, principalSubject, resolveAgents, routerFromConfig } from './router.js';
import type { AgentSpec, InboundMessage, Principal } from './types.js';

function provider(name: string, defaultModel: string): Provider {
  return {
    name,
    defaultModel,
    chat: () => Promise.reject(new Error('not called')),
    stream: () => {
      throw new Error('not called');
    },
  };
}

const providers = new Map([
  ['echo', provider('echo', 'echo')],
  ['openai', provider('openai', 'gpt-4o-mini')],
]);

const message: InboundMessage = {
  channel: 'slack',
  senderId: 'U01',
  conversationId: 'slack:C1',
  text: 'I want a refund',
  messageId: 'e1',
  replyTarget: 'C1',
  receivedAt: 0,
};
const channelPrincipal: Principal = { id: 'channel:slack', kind: 'channel', scopes: new Set() };

describe('resolveAgents', () => {
  it('lets named agents inherit every unset key from the default agent', () => {
    const config = configSchema.parse({
      default_temperature: 0.3,
      agent: { system_prompt: 'base', max_tokens: 99, history_window: 7 },
      agents: { support: { system_prompt: 'support' }, sales: { provider: 'openai' } },
    });
    const { agents, problems } = resolveAgents(config, providers);
    expect(problems).toEqual([]);
    expect(agents.get('support')).toEqual({
      name: 'support',
      provider: 'echo',
      model: 'echo',
      systemPrompt: 'support',
      temperature: 0.3,
      maxTokens: 99,
      historyWindow: 7,
    });
    // Another provider: the default agent's model would be meaningless there.
    expect(agents.get('sales')?.model).toBe('gpt-4o-mini');
  });

  it.each([
    [{ agents: { support: { provider: 'nope' } } }, 'agents.support.provider'],
    [{ routing: { rules: [{ agent: 'ghost', channel: 'api' }] } }, 'routing.rules[0].agent'],
    [{ agents: { default: { model: 'x' } } }, 'agents.default'],
  ])('names the key of a bad agent reference %#', (raw, key) => {
    const { problems } = resolveAgents(configSchema.parse(raw), providers);
    expect(problems.map((problem) => problem.key)).toEqual([key]);
  });

  it('accepts rules that name defined agents or default', () => {
    const config = configSchema.parse({
      agents: { support: {} },
      routing: { rules: [{ agent: 'support' }, { agent: 'default' }] },
    });
    expect(resolveAgents(config, providers).problems).toEqual([]);
  });
});

describe('routing rule validation', () => {
  it('names the index of a rule with an invalid regex', () => {
    const raw = { routing: { rules: [{ agent: 'default' }, { agent: 'default', text: '(' }] } };
    const parsed = configSchema.safeParse(raw);
    expect(parsed.success).toBe(false);
    if (parsed.success) return;
    expect(formatConfigIssues(parsed.error.issues, configSchema, raw)).toMatch(
      /^config error: routing\.rules\[1\]\.text = "\(" — expected/,
    );
  });

  it('refuses an unknown key inside a rule and an unknown channel', () => {
    expect(
      configSchema.safeParse({ routing: { rules: [{ agent: 'a', chanel: 'api' }] } }).success,
    ).toBe(false);
    expect(
      configSchema.safeParse({ routing: { rules: [{ agent: 'a', channel: 'irc' }] } }).success,
    ).toBe(false);
  });
});

describe('createAgentRouter', () => {
  const config = configSchema.parse({
    agents: { support: { system_prompt: 'support' }, admin: {}, free: {} },
    routing: {
      rules: [
        { agent: 'admin', scope: 'admin' },
        { agent: 'support', channel: ['slack', 'whatsapp'], text: 'refund' },
      ],
    },
  });
  const { agents } = resolveAgents(config, providers);
  const router = routerFromConfig(config, agents);

  it('returns the matched agent and rule index', () => {
    expect(router(message, channelPrincipal)).toMatchObject({
      agent: { name: 'support', systemPrompt: 'support' },
      ruleIndex: 1,
    });
  });

  it('routes by the principal scope', () => {
    const admin: Principal = { id: 'jwt:user:root', kind: 'jwt', scopes: new Set(['admin']) };
    expect(router(message, admin).agent.name).toBe('admin');
  });

  it('falls back to default without a rule index', () => {
    const routed = router({ ...message, text: 'hello' }, channelPrincipal);
    expect(routed.agent.name).toBe('default');
    expect(routed.ruleIndex).toBeUndefined();
  });

  it.each([
    ['no rule matches: the requested agent answers', 'hello', 'free', 'free'],
    ['a rule matches: the rule wins over the request', 'I want a refund', 'admin', 'support'],
    ['no rule matches and the request names no agent', 'hello', 'nobody', 'default'],
    ['no rule matches and the request names an agent a rule reserves', 'hello', 'admin', 'default'],
    ['no rule matches and nothing is requested', 'hello', undefined, 'default'],
  ])('%s', (_name, text, requested, expected) => {
    const routed = router({ ...message, text }, channelPrincipal, requested);
    expect(routed.agent.name).toBe(expected);
  });

  it('hands out frozen specs, so a stage changing ctx.agent cannot change the next turn', () => {
    const route = createAgentRouter(agents, []);
    const first = route(message, channelPrincipal);
    expect(() => {
      first.agent.model = 'changed';
    }).toThrow(TypeError);
    expect(route(message, channelPrincipal).agent.model).toBe('echo');
  });

  it('keeps its own copies: changing a spec it was built from changes no turn', () => {
    const specs = new Map([...agents].map(([name, spec]) => [name, { ...spec }]));
    const route = createAgentRouter(specs, []);
    (specs.get('default') as AgentSpec).model = 'changed';
    expect(route(message, channelPrincipal).agent.model).toBe('echo');
  });
});

describe('principalSubject', () => {
  it.each<[Principal, string | undefined]>([
    [{ id: 'jwt:user:alice', kind: 'jwt', scopes: new Set() }, 'user:alice'],
    [{ id: 'paired:abcdef012345', kind: 'paired', scopes: new Set() }, 'paired:abcdef012345'],
    [{ id: 'channel:slack', kind: 'channel', scopes: new Set() }, undefined],
    [{ id: 'anonymous', kind: 'anonymous', scopes: new Set() }, undefined],
  ])('%o → %s', (principal, subject) => {
    expect(principalSubject(principal)).toBe(subject);
  });
});
