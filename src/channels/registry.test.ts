import { describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import { createChannelAdapters } from './registry.js';

const cursors = { getCursor: async () => undefined, setCursor: async () => undefined };

describe('createChannelAdapters', () => {
  it('enables no channel without a config section', () => {
    expect(createChannelAdapters(configSchema.parse({}))).toEqual({
      adapters: [],
      warnings: [],
      unverifiable: {},
    });
  });

  it('enables each configured channel and warns about fail-closed settings', () => {
    const config = configSchema.parse({
      channels_config: {
        whatsapp: { access_token: 'a', phone_number_id: '1' },
        slack: { bot_token: 'b', signing_secret: 's', allowed_users: ['*'] },
        telegram: { bot_token: 't', mode: 'polling', allowed_users: [1] },
      },
    });
    const { adapters, warnings, unverifiable } = createChannelAdapters(config, { cursors });
    expect(adapters.map((a) => [a.name, a.path, a.poll !== undefined])).toEqual([
      ['whatsapp', '/whatsapp', false],
      ['slack', '/slack/events', false],
      ['telegram', '/telegram', true],
    ]);
    expect(warnings).toEqual([
      'channels_config.whatsapp.app_secret is unset: every POST /whatsapp is refused',
      'channels_config.whatsapp.verify_token is unset: every GET /whatsapp verification is refused',
      'channels_config.whatsapp.allowed_numbers is empty: nobody can message the agent',
    ]);
    // Slack has its signing secret and polling Telegram needs none: only WhatsApp is unverifiable.
    expect(unverifiable).toEqual({
      whatsapp:
        'channels_config.whatsapp.app_secret is unset: every POST /whatsapp is refused; ' +
        'channels_config.whatsapp.verify_token is unset: every GET /whatsapp verification is refused',
    });
  });

  it('warns when a Telegram webhook has no secret token', () => {
    const config = configSchema.parse({
      channels_config: { telegram: { bot_token: 't', allowed_users: ['*'] } },
    });
    const { warnings, unverifiable } = createChannelAdapters(config);
    expect(warnings).toEqual([
      'channels_config.telegram.secret_token is unset: every update is refused',
    ]);
    expect(unverifiable).toEqual({
      telegram: 'channels_config.telegram.secret_token is unset: every update is refused',
    });
  });

  it('marks Slack without a signing secret unverifiable, but not an empty allowlist', () => {
    const config = configSchema.parse({
      channels_config: {
        slack: { bot_token: 'b' },
        telegram: { bot_token: 't', secret_token: 's' },
      },
    });
    expect(createChannelAdapters(config).unverifiable).toEqual({
      slack: 'channels_config.slack.signing_secret is unset: every Slack event is refused',
    });
  });
});
