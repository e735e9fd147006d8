import type { SlackConfig } from '../../config/schema.js';
import type { DeliveringChannelAdapter } from '../types.js';
import { deliverSlackReply } from './deliver.js';
import { parseSlackPayload } from './parse.js';
import { verifySlackRequest } from './verify.js';

export interface SlackAdapterOptions {
  config: SlackConfig;
  fetch?: typeof fetch;
  /** The bot's user id, when known; otherwise read from each event's `authorizations`. */
  botUserId?: string;
}

/** The Slack Events API channel: POST /slack/events, replies with chat.postMessage. */
export function createSlackAdapter(options: SlackAdapterOptions): DeliveringChannelAdapter {
  const { config } = options;
  const deliverOptions = { config, fetch: options.fetch ?? globalThis.fetch };
  const parseOptions = { config, botUserId: options.botUserId };
  return {
    name: 'slack',
    verify: (request) => verifySlackRequest(config, request),
    parse: (request) => parseSlackPayload(parseOptions, request),
    deliver: (reply, signal) => deliverSlackReply(deliverOptions, reply, signal),
  };
}
