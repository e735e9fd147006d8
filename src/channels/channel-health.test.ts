import { describe, expect, it } from 'vitest';
import { createHealthRegistry } from '../runtime/health-registry.js';
import type { ComponentStatus } from '../runtime/types.js';
import { holdUnverifiableChannels } from './channel-health.js';

const SLACK_REASON = 'channels_config.slack.signing_secret is unset: every Slack event is refused';

function setup() {
  const health = createHealthRegistry({ components: ['channels', 'inbox'] });
  const held = holdUnverifiableChannels(health, { slack: SLACK_REASON });
  const channel = (name: string) => health.snapshot().channels?.components?.[name];
  return { health, held, channel };
}

describe('holdUnverifiableChannels', () => {
  it.each<[string, ComponentStatus, ComponentStatus, string | undefined]>([
    ['an unverifiable channel reporting ok', 'ok', 'degraded', SLACK_REASON],
    ['an unverifiable channel reporting degraded', 'degraded', 'degraded', 'retrying'],
    ['an unverifiable channel reporting error', 'error', 'error', 'retrying'],
    ['an unverifiable channel reporting starting', 'starting', 'starting', 'retrying'],
  ])('for %s shows %s', (_label, reported, shown, lastError) => {
    const { held, channel } = setup();
    held.report('channels.slack', reported, reported === 'ok' ? undefined : 'retrying');
    expect(channel('slack')).toMatchObject({ status: shown, last_error: lastError });
  });

  it('passes ok through for a channel that can verify its requests', () => {
    const { held, channel } = setup();
    held.report('channels.telegram', 'ok');
    expect(channel('telegram')?.status).toBe('ok');
    expect(channel('telegram')).not.toHaveProperty('last_error');
  });

  it('passes ok through for components that are not channels', () => {
    const { health, held } = setup();
    held.report('inbox', 'ok');
    held.report('slack', 'ok');
    expect(health.snapshot().inbox?.status).toBe('ok');
    expect(health.snapshot().slack?.status).toBe('ok');
  });

  it('keeps the channel degraded after a later successful delivery reports ok', () => {
    const { health, held, channel } = setup();
    held.report('channels', 'ok');
    held.report('channels.slack', 'ok');
    held.report('channels.slack', 'degraded', new Error('slack api 500'));
    held.report('channels.slack', 'ok');
    expect(channel('slack')).toMatchObject({ status: 'degraded', last_error: SLACK_REASON });
    expect(health.snapshot().channels?.status).toBe('degraded');
  });

  it('ignores inherited property names as channel names', () => {
    const { held, channel } = setup();
    held.report('channels.constructor', 'ok');
    expect(channel('constructor')?.status).toBe('ok');
  });
});
