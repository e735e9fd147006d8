import { readFileSync } from 'node:fs';
import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { formatConfigIssues } from './issues.js';
import { normalizeStage } from './pipeline-schema.js';
import { configSchema } from './schema.js';
import { checkStartupConfig } from './startup-checks.js';

function check(pipeline: unknown): string | undefined {
  const raw = { pipeline };
  const parsed = configSchema.safeParse(raw);
  return parsed.success ? undefined : formatConfigIssues(parsed.error.issues, configSchema, raw);
}

describe('[pipeline] stage entries', () => {
  it.each([
    [{ inbound: ['idempotency', 'memory'] }],
    [{ inbound: ['content_filter', 'audit'], outbound: ['content_filter'] }],
    [{ inbound: [{ name: 'rate_limit', per_minute: 10, key: 'sender', channels: ['slack'] }] }],
    [{ inbound: [{ name: 'budget', tokens_per_day: 1000 }] }],
    [{ inbound: [{ name: 'audit', destination: '/tmp/a.log', include_token_claims: true }] }],
    [{ outbound: [{ name: 'content_filter', block_patterns: ['x', '/y+/i'], action: 'redact' }] }],
  ])('accepts %j', (pipeline) => {
    expect(check(pipeline)).toBeUndefined();
  });

  it.each([
    [{ inbound: [{ name: 'rate_limit', per_minut: 10 }] }, /^config error: pipeline\.inbound\[0\]/],
    [
      { inbound: [{ name: 'rate_limit', per_minute: 10, per_minut: 5 }] },
      /^config error: unknown config key "pipeline\.inbound\[0\]\.per_minut"$/,
    ],
    [
      { inbound: [{ name: 'rate_limit', per_minute: 0 }] },
      /^config error: pipeline\.inbound\[0\]\.per_minute = 0 — expected an integer ≥ 1$/,
    ],
    [
      { inbound: [{ name: 'rate_limit', per_minute: 5, key: 'ip' }] },
      /^config error: pipeline\.inbound\[0\]\.key = "ip" — expected one of "subject", "sender", "channel", "client"$/,
    ],
    [
      { outbound: [{ name: 'content_filter', action: 'drop' }] },
      /^config error: pipeline\.outbound\[0\]\.action = "drop"/,
    ],
    [
      { outbound: [{ name: 'content_filter', block_patterns: ['/(/'] }] },
      /^config error: pipeline\.outbound\[0\]\.block_patterns\[0\] = "\/\(\/"/,
    ],
    [{ inbound: ['rate_limit'] }, /^config error: pipeline\.inbound\[0\] = "rate_limit"/],
    [{ inbound: ['audit'], outbound: ['audit'] }, /audit listed more than once/],
    [{ outbound: ['memory'] }, /list it under pipeline\.inbound/],
    [{ inbound: [{ name: 'bogus' }] }, /^config error: pipeline\.inbound\[0\]/],
  ])('refuses %j naming the key', (pipeline, message) => {
    expect(check(pipeline)).toMatch(message);
  });

  it('gives a plain name every default of its table', () => {
    expect(normalizeStage('content_filter')).toEqual({
      name: 'content_filter',
      block_patterns: [],
      action: 'reject',
      message: 'This message was blocked by the content policy.',
    });
  });
});

describe('docs/pipeline.md', () => {
  it('its complete example is a valid config that passes the start-up checks', () => {
    const doc = readFileSync(new URL('../../docs/pipeline.md', import.meta.url), 'utf8');
    const example = /```toml\n([\s\S]*?)```/.exec(doc)?.[1] ?? '';
    expect(example).toContain('[[routing.rules]]');
    const raw = parse(`${example}\n[providers.anthropic]\n`);
    const config = configSchema.parse(raw);
    expect(() => checkStartupConfig(config)).not.toThrow();
    const names = [...config.pipeline.inbound, ...config.pipeline.outbound].map(
      (entry) => normalizeStage(entry).name,
    );
    for (const stage of [
      'audit',
      'rate_limit',
      'budget',
      'idempotency',
      'content_filter',
      'memory',
    ]) {
      expect(names).toContain(stage);
    }
  });
});
