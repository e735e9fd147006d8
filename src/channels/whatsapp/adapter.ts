import type { WhatsAppConfig } from '../../config/schema.js';
import type { DeliveringChannelAdapter } from '../types.js';
import { deliverWhatsAppReply } from './deliver.js';
import { parseWhatsAppPayload } from './parse.js';
import { answerWhatsAppHandshake, verifyWhatsAppRequest } from './verify.js';

export interface WhatsAppAdapterOptions {
  config: WhatsAppConfig;
  fetch?: typeof fetch;
}

/** The WhatsApp Cloud API channel: GET/POST /whatsapp, replies through the Graph API. */
export function createWhatsAppAdapter(options: WhatsAppAdapterOptions): DeliveringChannelAdapter {
  const { config } = options;
  const deliverOptions = { config, fetch: options.fetch ?? globalThis.fetch };
  return {
    name: 'whatsapp',
    verify: (request) => verifyWhatsAppRequest(config, request),
    handshake: (request) => answerWhatsAppHandshake(config, request),
    parse: (request) => parseWhatsAppPayload(config, request),
    deliver: (reply, signal) => deliverWhatsAppReply(deliverOptions, reply, signal),
  };
}
