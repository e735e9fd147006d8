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
      [],
      ['providers.openai'],
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
