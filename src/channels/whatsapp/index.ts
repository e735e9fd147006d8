export { createWhatsAppAdapter, type WhatsAppAdapterOptions } from './adapter.js';
export { WHATSAPP_MAX_TEXT } from './deliver.js';
