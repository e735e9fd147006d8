import { warnEmptyAllowlist, warnUnsetSecret } from '../channel-warnings.js';
import type { ChannelModule } from '../module.js';
import { webhookHandlers } from '../webhook-handlers.js';

/** WhatsApp Cloud API: signed webhooks in (durable inbox), Graph API replies out. */
export const whatsappModule: ChannelModule = {
  name: 'whatsapp',
  configSection: 'whatsapp',
  routes: [
    { id: 'webhook', method: 'POST', path: '/whatsapp', aliases: ['/channels/whatsapp/webhook'] },
    { id: 'handshake', method: 'GET', path: '/whatsapp', aliases: ['/channels/whatsapp/webhook'] },
  ],
  async create(services) {
    const section = services.config.channels_config.whatsapp;
    if (section === undefined) return undefined;
    warnUnsetSecret(services.warn, 'whatsapp', 'app_secret', section.app_secret, 'POST /whatsapp');
    warnUnsetSecret(
      services.warn,
      'whatsapp',
      'verify_token',
      section.verify_token,
      'GET /whatsapp verification',
    );
    warnEmptyAllowlist(services.warn, 'whatsapp', 'allowed_numbers', section.allowed_numbers);
    // Imported only when configured: adapter code is start-up time for gateways without it.
    const { createWhatsAppAdapter } = await import('./adapter.js');
    const adapter = createWhatsAppAdapter({ config: section });
    return { adapter, handlers: { ...webhookHandlers(adapter, services) } };
  },
};
