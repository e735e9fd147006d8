import { describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import { createChannelAdapters } from './registry.js';

const cursors = { getCursor: async () => undefined, setCursor: async () => undefined };

describe('createChannelAdapters', () => {
  it('enables no channel without a config section', () => {
    expect(createChannelAdapters(configSchema.parse({}))).toEqual({ adapters: [], warnings: [] });
  });

  it('enables each configured channel and warns about fail-closed settings', () => {
    const config = configSchema.parse({
      channels_config: {
        whatsapp: { access_token: 'a', phone_number_id: '1' },
        slack: { bot_token: 'b', signing_secret: 's', allowed_users: ['*'] },
        telegram: { bot_token: 't', mode: 'polling', allowed_users: [1] },
      },
    });
    const { adapters, warnings } = createChannelAdapters(config, { cursors });
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
  });

  it('warns when a Telegram webhook has no secret token', () => {
    const config = configSchema.parse({
      channels_config: { telegram: { bot_token: 't', allowed_users: ['*'] } },
    });
    expect(createChannelAdapters(config).warnings).toEqual([
      'channels_config.telegram.secret_token is unset: every update is refused',
    ]);
  });
});
