import type { SlackConfig } from '../../config/schema.js';
import { proxiedFetch } from '../../http/proxied-fetch.js';
import type { DeliveringChannelAdapter } from '../types.js';
import { deliverSlackReply, SLACK_MAX_TEXT } from './deliver.js';
import { findDeliveredSlackParts } from './reconcile.js';
import { formatReply } from '../../core/format/format-reply.js';
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
  const deliverOptions = { config, fetch: options.fetch ?? proxiedFetch };
  const parseOptions = { config, botUserId: options.botUserId };
  return {
    name: 'slack',
    verify: (request) => verifySlackRequest(config, request),
    parse: (request) => parseSlackPayload(parseOptions, request),
    deliver: (reply, signal) => deliverSlackReply(deliverOptions, reply, signal),
    // Parts are stored as sent: the channel's format, never cut inside a block or an entity.
    split: (text) => formatReply('slack', text, SLACK_MAX_TEXT).map((part) => part.text),
    // Slack keeps message metadata, so a part's fate can be read back from the thread.
    unknownOutcome: 'reconcile',
    findDelivered: (message, partIds, signal) =>
      findDeliveredSlackParts(deliverOptions, message, partIds, signal),
  };
}
