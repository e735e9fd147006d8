export {
  createChannelAdapters,
  type ChannelRegistry,
  type ChannelRegistryDeps,
} from './registry.js';
export { holdUnverifiableChannels } from './channel-health.js';
export { channelRoutes, CHANNEL_WEBHOOK_PATHS, type ChannelRoutesOptions } from './routes.js';
export { startChannelPolling, type ChannelPolling, type ChannelPollingOptions } from './polling.js';
export { acceptMessages } from './intake.js';
export { DeliveryError } from './types.js';
export type {
  ChannelAdapter,
  ChannelRequest,
  ChannelResponse,
  OutboundReply,
  ParseResult,
  VerifyResult,
} from './types.js';
