import type { Config } from '../config/schema.js';
import type { Finding } from './types.js';

/*
 * Channel webhooks fail closed: without its verification secret a channel refuses every request,
 * so the finding is about a channel that silently receives nothing, not about an open door.
 */

interface SecretRule {
  id: string;
  key: string;
  env: string;
  /** The configured section's secret is needed and unset. */
  missing: (config: Config) => boolean;
  effect: string;
}

const RULES: readonly SecretRule[] = [
  {
    id: 'whatsapp-app-secret-unset',
    key: 'channels_config.whatsapp.app_secret',
    env: 'GATEHOUSE_WHATSAPP_APP_SECRET',
    missing: (config) => {
      const section = config.channels_config.whatsapp;
      return section !== undefined && section.app_secret === undefined;
    },
    effect: 'every WhatsApp POST is refused (X-Hub-Signature-256 cannot be verified)',
  },
  {
    id: 'whatsapp-verify-token-unset',
    key: 'channels_config.whatsapp.verify_token',
    env: 'GATEHOUSE_WHATSAPP_VERIFY_TOKEN',
    missing: (config) => {
      const section = config.channels_config.whatsapp;
      return section !== undefined && section.verify_token === undefined;
    },
    effect: "Meta's GET verification of the webhook URL is refused",
  },
  {
    id: 'slack-signing-secret-unset',
    key: 'channels_config.slack.signing_secret',
    env: 'GATEHOUSE_SLACK_SIGNING_SECRET',
    missing: (config) => {
      const section = config.channels_config.slack;
      return section !== undefined && section.signing_secret === undefined;
    },
    effect: 'every Slack event is refused (X-Slack-Signature cannot be verified)',
  },
  {
    id: 'telegram-secret-token-unset',
    key: 'channels_config.telegram.secret_token',
    env: 'GATEHOUSE_TELEGRAM_SECRET_TOKEN',
    missing: (config) => {
      const section = config.channels_config.telegram;
      return (
        section !== undefined && section.mode === 'webhook' && section.secret_token === undefined
      );
    },
    effect: 'every Telegram update is refused (X-Telegram-Bot-Api-Secret-Token cannot be checked)',
  },
];

/** Configured channels whose verification secret is unset. */
export function checkChannelSecrets(config: Config): Finding[] {
  return RULES.filter((rule) => rule.missing(config)).map((rule) => ({
    id: rule.id,
    severity: 'warning' as const,
    key: rule.key,
    message: `${rule.key} is unset: ${rule.effect}`,
    fix: `set ${rule.env} in the environment of the gateway (or ${rule.key} in the config file)`,
  }));
}
