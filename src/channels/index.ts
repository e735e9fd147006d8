export { CHANNEL_MODULES } from './modules.js';
export type {
  ChannelInstance,
  ChannelModule,
  ChannelRoute,
  ChannelRouteHandler,
  ChannelServices,
} from './module.js';
export { channelRouteRegistrar, routePaths, upgradePaths } from './route-builder.js';
export type { ChannelRouting } from './route-builder.js';
export { holdUnverifiableChannels } from './channel-health.js';
export { toChannelRequest, webhookHandlers } from './webhook-handlers.js';
export { startChannelPolling, type ChannelPolling, type ChannelPollingOptions } from './polling.js';
export { acceptMessages } from './intake.js';
export { DeliveryError } from './types.js';
export type {
  ChannelAdapter,
  ChannelRequest,
  ChannelResponse,
  DeliveringChannelAdapter,
  OutboundReply,
  ParseResult,
  VerifyResult,
} from './types.js';
