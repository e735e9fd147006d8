import type { ChannelModule } from '../module.js';
import { createTurnStreams } from '../turn-streams.js';
import { createApiAdapter } from './adapter.js';
import { apiWebhookHandler } from './webhook-handler.js';
import { hashWebhookSecret } from './webhook-request.js';

/** `POST /webhook`: the generic REST channel, answered in the HTTP response. */
export const apiModule: ChannelModule = {
  name: 'api',
  configSection: 'webhook',
  routes: [{ id: 'webhook', method: 'POST', path: '/webhook', aliases: ['/channels/api/v1'] }],
  async create(services) {
    const { config } = services;
    const secret = config.channels_config.webhook.secret;
    const adapter = createApiAdapter({
      authenticator: services.authenticator,
      webhookSecretHash: secret === undefined ? undefined : hashWebhookSecret(secret),
    });
    const limiter = services.limiter(
      'webhook',
      (current) => current.gateway.webhook_rate_limit_per_minute,
    );
    return {
      adapter,
      handlers: {
        webhook: apiWebhookHandler({
          adapter,
          limiter,
          dispatch: services.dispatch,
          origins: services.origins,
          stream: {
            streams: createTurnStreams({
              graceMs: config.channels_config.web.resume_grace_secs * 1000,
            }),
            turnTimeoutMs: config.gateway.request_timeout_secs * 1000,
          },
        }),
      },
    };
  },
};
