import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../config/config-error.js';
import {
  slackEventCallback,
  telegramUpdate,
  whatsappWebhook,
} from '../test-support/channel-payloads.js';
import {
  slackSection,
  startChannelFakes,
  startChannelGateway,
  telegramSection,
  whatsappSection,
  type ChannelFakes,
  type ChannelGateway,
} from '../test-support/channel-gateway.js';

let fakes: ChannelFakes;
const gateways: ChannelGateway[] = [];

beforeAll(async () => {
  fakes = await startChannelFakes();
});
afterAll(async () => {
  await fakes.close();
});
afterEach(async () => {
  for (const gateway of gateways.splice(0)) await gateway.cleanup();
});

interface HealthBody {
  runtime: Record<string, { status: string; components?: Record<string, { status: string }> }>;
}

describe('channels in /health and /metrics', () => {
  it('reports each configured channel under the channels component', async () => {
    const gateway = await startChannelGateway({
      config: {
        channels_config: {
          whatsapp: whatsappSection(fakes),
          slack: slackSection(fakes),
          telegram: telegramSection(fakes),
        },
      },
    });
    gateways.push(gateway);
    const { json } = await gateway.request('/health');
    const channels = (json as HealthBody).runtime.channels;
    expect(channels?.status).toBe('ok');
    expect(channels?.components).toMatchObject({
      whatsapp: { status: 'ok' },
      slack: { status: 'ok' },
      telegram: { status: 'ok' },
    });
  });

  it('lists only the configured channels', async () => {
    const gateway = await startChannelGateway({
      config: { channels_config: { slack: slackSection(fakes) } },
    });
    gateways.push(gateway);
    const { json } = await gateway.request('/health');
    const components = (json as HealthBody).runtime.channels?.components ?? {};
    expect(Object.keys(components)).toEqual(['slack']);
  });

  it('counts inbound and outbound messages per channel', async () => {
    const gateway = await startChannelGateway({
      config: {
        channels_config: {
          whatsapp: whatsappSection(fakes),
          slack: slackSection(fakes),
          telegram: telegramSection(fakes),
        },
      },
    });
    gateways.push(gateway);
    await gateway.postWhatsApp(
      JSON.stringify(whatsappWebhook([[{ from: '15550000009', id: 'wamid.m', text: 'metric' }]])),
    );
    await gateway.postSlack(
      JSON.stringify(slackEventCallback({ eventId: 'EvMetric', user: 'U1', text: 'metric' })),
    );
    await gateway.postTelegram(
      JSON.stringify(telegramUpdate({ updateId: 9, fromId: 9, text: 'metric' })),
    );
    for (const channel of ['whatsapp', 'slack', 'telegram']) {
      expect(await gateway.channelMessages(channel, 'inbound')).toBe(1);
      await expect
        .poll(() => gateway.channelMessages(channel, 'outbound'), { timeout: 15_000 })
        .toBe(1);
    }
  });

  it('refuses to start with a half-configured channel, naming the missing key', async () => {
    const half = whatsappSection(fakes, { phone_number_id: null });
    const attempt = startChannelGateway({ config: { channels_config: { whatsapp: half } } });
    await expect(attempt).rejects.toBeInstanceOf(ConfigError);
    await expect(attempt).rejects.toThrow(/phone_number_id/);
  });
});
