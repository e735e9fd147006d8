import { describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import type { Inbox } from '../inbox/types.js';
import {
  recordingHealth,
  recordingObserver,
  silentLogger,
} from '../test-support/channel-test-deps.js';
import type { ChannelModule, ChannelServices } from './module.js';
import { slackModule } from './slack/module.js';
import { telegramModule } from './telegram/module.js';
import { whatsappModule } from './whatsapp/module.js';

const cursors = { getCursor: async () => undefined, setCursor: async () => undefined };
const MODULES = [whatsappModule, slackModule, telegramModule];

/** Builds the asynchronous channel modules for `raw` config; returns adapters and what was warned. */
async function build(raw: Record<string, unknown>, modules: readonly ChannelModule[] = MODULES) {
  const warnings: string[] = [];
  const unverifiable: Record<string, string[]> = {};
  // These modules use only the config, the inbox (Telegram's cursor), health, logging and `warn`.
  const services = {
    config: configSchema.parse(raw),
    inbox: cursors as unknown as Inbox,
    health: recordingHealth(),
    observer: recordingObserver(),
    logger: silentLogger(),
    warn(channel: string, reason: string, flags?: { unverifiable?: boolean }) {
      warnings.push(reason);
      if (flags?.unverifiable === true) (unverifiable[channel] ??= []).push(reason);
    },
  } as unknown as ChannelServices;
  const instances = await Promise.all(modules.map((module) => module.create(services)));
  return { instances, warnings, unverifiable };
}

describe('asynchronous channel modules', () => {
  it('enable no channel without a config section', async () => {
    const { instances, warnings } = await build({});
    expect(instances).toEqual([undefined, undefined, undefined]);
    expect(warnings).toEqual([]);
  });

  it('enable each configured channel and warn about fail-closed settings', async () => {
    const { instances, warnings, unverifiable } = await build({
      channels_config: {
        whatsapp: { access_token: 'a', phone_number_id: '1' },
        slack: { bot_token: 'b', signing_secret: 's', allowed_users: ['*'] },
        telegram: { bot_token: 't', mode: 'polling', allowed_users: [1] },
      },
    });
    expect(
      instances.map((instance) => [instance?.adapter?.name, instance?.adapter?.poll !== undefined]),
    ).toEqual([
      ['whatsapp', false],
      ['slack', false],
      ['telegram', true],
    ]);
    // A polling Telegram takes no webhooks: its route has no handler.
    expect(instances[2]?.handlers).toEqual({});
    expect(warnings).toEqual([
      'channels_config.whatsapp.app_secret is unset: every POST /whatsapp is refused',
      'channels_config.whatsapp.verify_token is unset: every GET /whatsapp verification is refused',
      'channels_config.whatsapp.allowed_numbers is empty: nobody can message the agent',
    ]);
    // Slack has its signing secret and polling Telegram needs none: only WhatsApp is unverifiable.
    expect(unverifiable).toEqual({
      whatsapp: [
        'channels_config.whatsapp.app_secret is unset: every POST /whatsapp is refused',
        'channels_config.whatsapp.verify_token is unset: every GET /whatsapp verification is refused',
      ],
    });
  });

  it('warn when a Telegram webhook has no secret token', async () => {
    const { warnings, unverifiable } = await build({
      channels_config: { telegram: { bot_token: 't', allowed_users: ['*'] } },
    });
    expect(warnings).toEqual([
      'channels_config.telegram.secret_token is unset: every update is refused',
    ]);
    expect(unverifiable).toEqual({
      telegram: ['channels_config.telegram.secret_token is unset: every update is refused'],
    });
  });

  it('mark Slack without a signing secret unverifiable, but not an empty allowlist', async () => {
    const { unverifiable } = await build({
      channels_config: {
        slack: { bot_token: 'b' },
        telegram: { bot_token: 't', secret_token: 's' },
      },
    });
    expect(unverifiable).toEqual({
      slack: ['channels_config.slack.signing_secret is unset: every Slack event is refused'],
    });
  });
});
