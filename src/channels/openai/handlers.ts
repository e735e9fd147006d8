import type { ChannelInstance, ChannelServices } from '../module.js';

/** Placeholder replaced below. */
export function openaiHandlers(_services: ChannelServices): ChannelInstance {
  return { handlers: {} };
}
