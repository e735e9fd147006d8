import type { ChannelModule } from '../module.js';

/** OpenAI-compatible Chat Completions API under /v1. */
export const openaiModule: ChannelModule = {
  name: 'openai',
  configSection: 'openai',
  routes: [
    { id: 'models', method: 'GET', path: '/v1/models', aliases: [], errorShape: 'openai' },
    {
      id: 'chat-completions',
      method: 'POST',
      path: '/v1/chat/completions',
      aliases: [],
      errorShape: 'openai',
    },
  ],
  async create(services) {
    if (!services.config.channels_config.openai.enabled) return undefined;
    const { openaiHandlers } = await import('./handlers.js');
    return openaiHandlers(services);
  },
};
