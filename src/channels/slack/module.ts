import { warnEmptyAllowlist, warnUnsetSecret } from '../channel-warnings.js';
import type { ChannelModule } from '../module.js';
import { webhookHandlers } from '../webhook-handlers.js';

/** Slack Events API: signed events in (durable inbox), chat.postMessage replies out. */
export const slackModule: ChannelModule = {
  name: 'slack',
  configSection: 'slack',
  routes: [
    { id: 'webhook', method: 'POST', path: '/slack/events', aliases: ['/channels/slack/events'] },
  ],
  async create(services) {
    const section = services.config.channels_config.slack;
    if (section === undefined) return undefined;
    warnUnsetSecret(
      services.warn,
      'slack',
      'signing_secret',
      section.signing_secret,
      'Slack event',
    );
    warnEmptyAllowlist(services.warn, 'slack', 'allowed_users', section.allowed_users);
    const { createSlackAdapter } = await import('./adapter.js');
    const adapter = createSlackAdapter({ config: section });
    return { adapter, handlers: { ...webhookHandlers(adapter, services) } };
  },
};
