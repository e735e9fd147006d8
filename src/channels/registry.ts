import type { Config } from '../config/schema.js';
import type { ChannelName } from '../core/types.js';
import type { HealthRegistry } from '../runtime/types.js';
import { createSlackAdapter } from './slack/index.js';
import { createTelegramAdapter, type CursorStore } from './telegram/index.js';
import type { ChannelAdapter } from './types.js';
import { createWhatsAppAdapter } from './whatsapp/index.js';

export interface ChannelRegistryDeps {
  fetch?: typeof fetch;
  /** Persists Telegram's getUpdates offset (the inbox); required for Telegram polling mode. */
  cursors?: CursorStore;
  /** Receives `channels.<name>` reports (polling health). */
  health?: HealthRegistry;
}

/** The enabled channel adapters and configuration warnings worth logging at start-up. */
export interface ChannelRegistry {
  adapters: ChannelAdapter[];
  warnings: string[];
  /**
   * Per channel, why it cannot verify (and so refuses) a kind of request: an unset secret. Such
   * a channel is reported `degraded` with this reason, never `ok`, so /health shows the gap.
   */
  unverifiable: Partial<Record<ChannelName, string>>;
}

/**
 * Builds an adapter for every configured channel section (the schema already rejects a section
 * missing a mandatory key). Settings that make a channel refuse everything are returned as
 * warnings (and `unverifiable` reasons) rather than errors: fail-closed is the intended, safe
 * behaviour, but the operator must be able to see it.
 */
export function createChannelAdapters(
  config: Config,
  deps: ChannelRegistryDeps = {},
): ChannelRegistry {
  const channels = config.channels_config;
  const adapters: ChannelAdapter[] = [];
  const warnings: string[] = [];
  const warnEmpty = (name: string, key: string, list: readonly unknown[]): void => {
    if (list.length === 0) {
      warnings.push(`channels_config.${name}.${key} is empty: nobody can message the agent`);
    }
  };
  const unverifiable: Partial<Record<ChannelName, string>> = {};
  const warnUnset = (
    name: ChannelName,
    key: string,
    value: string | undefined,
    what: string,
  ): void => {
    if (value) return;
    const reason = `channels_config.${name}.${key} is unset: every ${what} is refused`;
    warnings.push(reason);
    const previous = unverifiable[name];
    unverifiable[name] = previous === undefined ? reason : `${previous}; ${reason}`;
  };

  if (channels.whatsapp) {
    const wa = channels.whatsapp;
    warnUnset('whatsapp', 'app_secret', wa.app_secret, 'POST /whatsapp');
    warnUnset('whatsapp', 'verify_token', wa.verify_token, 'GET /whatsapp verification');
    warnEmpty('whatsapp', 'allowed_numbers', wa.allowed_numbers);
    adapters.push(createWhatsAppAdapter({ config: wa, fetch: deps.fetch }));
  }
  if (channels.slack) {
    const slack = channels.slack;
    warnUnset('slack', 'signing_secret', slack.signing_secret, 'Slack event');
    warnEmpty('slack', 'allowed_users', slack.allowed_users);
    adapters.push(createSlackAdapter({ config: slack, fetch: deps.fetch }));
  }
  if (channels.telegram) {
    const tg = channels.telegram;
    if (tg.mode === 'webhook') warnUnset('telegram', 'secret_token', tg.secret_token, 'update');
    warnEmpty('telegram', 'allowed_users', tg.allowed_users);
    if (tg.mode === 'polling' && !deps.cursors) {
      throw new Error('Telegram polling mode needs the inbox as cursor store');
    }
    adapters.push(
      createTelegramAdapter({
        config: tg,
        fetch: deps.fetch,
        cursors: deps.cursors,
        onPollStatus: (status, error) => deps.health?.report('channels.telegram', status, error),
      }),
    );
  }
  return { adapters, warnings, unverifiable };
}
