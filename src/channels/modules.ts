import { apiModule } from './api/module.js';
import type { ChannelModule } from './module.js';
import { openaiModule } from './openai/module.js';
import { slackModule } from './slack/module.js';
import { telegramModule } from './telegram/module.js';
import { webModule } from './web/module.js';
import { whatsappModule } from './whatsapp/module.js';

/** Every channel the gateway speaks. Adding one means adding its folder and one line here. */
export const CHANNEL_MODULES: readonly ChannelModule[] = [
  apiModule,
  webModule,
  whatsappModule,
  slackModule,
  telegramModule,
  openaiModule,
];
