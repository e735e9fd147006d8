import type { WhatsAppConfig } from '../../config/schema.js';
import { proxiedFetch } from '../../http/proxied-fetch.js';
import type { DeliveringChannelAdapter } from '../types.js';
import { formatReply } from '../../core/format/format-reply.js';
import { deliverWhatsAppReply, WHATSAPP_MAX_TEXT } from './deliver.js';
import { parseWhatsAppPayload } from './parse.js';
import { answerWhatsAppHandshake, verifyWhatsAppRequest } from './verify.js';

export interface WhatsAppAdapterOptions {
  config: WhatsAppConfig;
  fetch?: typeof fetch;
}

/** The WhatsApp Cloud API channel: GET/POST /whatsapp, replies through the Graph API. */
export function createWhatsAppAdapter(options: WhatsAppAdapterOptions): DeliveringChannelAdapter {
  const { config } = options;
  const deliverOptions = { config, fetch: options.fetch ?? proxiedFetch };
  return {
    name: 'whatsapp',
    verify: (request) => verifyWhatsAppRequest(config, request),
    handshake: (request) => answerWhatsAppHandshake(config, request),
    parse: (request) => parseWhatsAppPayload(config, request),
    deliver: (reply, signal) => deliverWhatsAppReply(deliverOptions, reply, signal),
    // Parts are stored as sent: the channel's format, never cut inside a block or an entity.
    split: (text) => formatReply('whatsapp', text, WHATSAPP_MAX_TEXT).map((part) => part.text),
    // The Cloud API offers no way to ask whether a message was sent: the operator chooses.
    unknownOutcome: config.on_unknown_outcome,
  };
}
