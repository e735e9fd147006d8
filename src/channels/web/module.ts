import type { ChannelModule } from '../module.js';
import { WEB_ROUTES } from './routes.js';
import { createTicketStore } from './tickets.js';
import { webChannel } from './web-channel.js';

/** The browser chat: WebSocket sessions authenticated by a one-time ticket or a bearer header. */
export const webModule: ChannelModule = {
  name: 'web',
  configSection: 'web',
  routes: WEB_ROUTES,
  async create(services) {
    const { config } = services;
    const channel = webChannel({
      config,
      dispatch: services.dispatch,
      authenticator: services.authenticator,
      tickets: createTicketStore({ store: services.store }),
      revocations: services.revocations,
      observer: services.observer,
      logger: services.logger,
      selfOrigins: services.origins.selfOrigins,
      clientKeyOf: services.clientKeyOf,
      ...(services.edge === undefined ? {} : { edge: services.edge }),
      ...(services.origins.reportRefusal === undefined
        ? {}
        : { reportOriginRefusal: services.origins.reportRefusal }),
      ...(services.shareSessions === undefined ? {} : { shareSessions: services.shareSessions }),
      adminGuard: services.adminGuard,
      agent: services.agents()[0]?.name ?? 'default',
      ...(services.conversationHistory === undefined
        ? {}
        : { history: services.conversationHistory }),
    });
    return {
      handlers: channel.handlers,
      attach: (server, paths) => channel.attach(server, paths),
      closeAll: (code, reason) => channel.closeAll(code, reason),
    };
  },
};
