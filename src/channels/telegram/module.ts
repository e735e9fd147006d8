import { warnEmptyAllowlist, warnUnsetSecret } from '../channel-warnings.js';
import type { ChannelModule } from '../module.js';
import { webhookHandlers } from '../webhook-handlers.js';

/** Telegram Bot API: webhook or long polling in (durable inbox), sendMessage replies out. */
export const telegramModule: ChannelModule = {
  name: 'telegram',
  configSection: 'telegram',
  routes: [
    { id: 'webhook', method: 'POST', path: '/telegram', aliases: ['/channels/telegram/webhook'] },
  ],
  async create(services) {
    const section = services.config.channels_config.telegram;
    if (section === undefined) return undefined;
    if (section.mode === 'webhook') {
      warnUnsetSecret(services.warn, 'telegram', 'secret_token', section.secret_token, 'update');
    }
    warnEmptyAllowlist(services.warn, 'telegram', 'allowed_users', section.allowed_users);
    const { createTelegramAdapter } = await import('./adapter.js');
    const adapter = createTelegramAdapter({
      config: section,
      // The inbox keeps getUpdates' offset, so a restart neither skips nor repeats updates.
      cursors: services.inbox,
      onPollStatus: (status, error) => services.health.report('channels.telegram', status, error),
    });
    return { adapter, handlers: { ...webhookHandlers(adapter, services) } };
  },
};
