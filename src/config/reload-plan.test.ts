import { describe, expect, it } from 'vitest';
import { applyInPlace, planReload } from './reload-plan.js';
import { configSchema } from './schema.js';

const parse = (input: Record<string, unknown>) => configSchema.parse(input);

describe('planReload', () => {
  it.each<[string, Record<string, unknown>, string[], string[]]>([
    ['nothing changed', {}, [], []],
    ['log level', { observability: { log_level: 'debug' } }, ['observability.log_level'], []],
    [
      'allowed origins',
      { channels_config: { web: { allowed_origins: ['https://a.example'] } } },
      ['channels_config.web.allowed_origins'],
      [],
    ],
    ['port', { gateway: { port: 8080 } }, [], ['gateway.port']],
    ['memory path', { memory: { path: '/tmp/m.db' } }, [], ['memory.path']],
    [
      'a rate limit and the host',
      { gateway: { webhook_rate_limit_per_minute: 5, host: '::1' } },
      ['gateway.webhook_rate_limit_per_minute'],
      ['gateway.host'],
    ],
    [
      'a provider added',
      { providers: { openai: { base_url: 'https://llm.example/v1' } } },
      ['providers.openai'],
      [],
    ],
    [
      'an agent, a routing rule and the default model',
      {
        default_model: 'm2',
        agents: { support: { model: 'm3' } },
        routing: { rules: [{ agent: 'support', text: 'help' }] },
      },
      ['agents.support', 'default_model', 'routing.rules'],
      [],
    ],
    [
      'pipeline stages',
      { pipeline: { inbound: ['idempotency'], outbound: ['content_filter'] } },
      ['pipeline.inbound', 'pipeline.outbound'],
      [],
    ],
    [
      'hosts and the public url next to a backend',
      {
        gateway: { allowed_hosts: ['agent.example'], public_url: 'https://agent.example' },
        state: { backend: 'redis' },
      },
      ['gateway.allowed_hosts', 'gateway.public_url'],
      ['state.backend'],
    ],
    [
      'the system prompt next to the memory backend',
      { agent: { system_prompt: 'Be brief.' }, memory: { backend: 'none' } },
      ['agent.system_prompt'],
      ['memory.backend'],
    ],
  ])('%s', (_label, change, hot, restartOnly) => {
    const plan = planReload(parse({}), parse(change));
    expect(plan.hot).toEqual(hot);
    expect(plan.restartOnly).toEqual(restartOnly);
    expect(plan.changed).toEqual([...hot, ...restartOnly].sort());
  });
});

describe('applyInPlace', () => {
  it('refills arrays in place, so holders of the old array see the new entries', () => {
    const running = parse({});
    const held = running.channels_config.web.allowed_origins;
    const next = parse({ channels_config: { web: { allowed_origins: ['https://a.example'] } } });
    applyInPlace(running, next, 'channels_config.web.allowed_origins');
    expect(held).toEqual(['https://a.example']);
    expect(running.channels_config.web.allowed_origins).toBe(held);
  });

  it('deletes a removed section, so the record no longer names it', () => {
    const running = parse({ agents: { support: {}, sales: {} } });
    const agents = running.agents;
    applyInPlace(running, parse({ agents: { sales: {} } }), 'agents.support');
    expect(Object.keys(agents)).toEqual(['sales']);
  });

  it('sets scalars on the running section', () => {
    const running = parse({});
    const section = running.observability;
    applyInPlace(
      running,
      parse({ observability: { log_level: 'error' } }),
      'observability.log_level',
    );
    expect(section.log_level).toBe('error');
  });
});
