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

interface ComponentBody {
  status: string;
  last_error?: string;
}

interface HealthBody {
  status: string;
  runtime: Record<string, ComponentBody & { components?: Record<string, ComponentBody> }>;
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

  it.each([
    ['slack', 'signing_secret', { slack: () => slackSection(fakes, { signing_secret: null }) }],
    [
      'telegram',
      'secret_token',
      { telegram: () => telegramSection(fakes, { secret_token: null, mode: 'webhook' }) },
    ],
    ['whatsapp', 'app_secret', { whatsapp: () => whatsappSection(fakes, { app_secret: null }) }],
    [
      'whatsapp',
      'verify_token',
      { whatsapp: () => whatsappSection(fakes, { verify_token: null }) },
    ],
  ] as const)(
    'reports %s degraded with a last_error naming %s when that secret is unset',
    async (name, key, sections) => {
      const channelsConfig = Object.fromEntries(
        Object.entries(sections).map(([section, build]) => [section, build()]),
      );
      const gateway = await startChannelGateway({ config: { channels_config: channelsConfig } });
      gateways.push(gateway);
      const { json } = await gateway.request('/health');
      const health = json as HealthBody;
      const channel = health.runtime.channels?.components?.[name];
      expect(channel?.status).toBe('degraded');
      expect(channel?.last_error).toContain(`channels_config.${name}.${key} is unset`);
      expect(health.runtime.channels?.status).toBe('degraded');
      expect(health.status).not.toBe('ok');
    },
  );

  it('keeps WhatsApp without a verify_token degraded after it delivers a reply', async () => {
    const gateway = await startChannelGateway({
      config: { channels_config: { whatsapp: whatsappSection(fakes, { verify_token: null }) } },
    });
    gateways.push(gateway);
    const accepted = await gateway.postWhatsApp(
      JSON.stringify(whatsappWebhook([[{ from: '15550000019', id: 'wamid.h', text: 'hi' }]])),
    );
    expect(accepted.status).toBe(200);
    await expect
      .poll(() => gateway.channelMessages('whatsapp', 'outbound'), { timeout: 15_000 })
      .toBe(1);
    const { json } = await gateway.request('/health');
    const whatsapp = (json as HealthBody).runtime.channels?.components?.whatsapp;
    expect(whatsapp?.status).toBe('degraded');
    expect(whatsapp?.last_error).toContain('channels_config.whatsapp.verify_token is unset');
  });

  it('reports a channel with every secret set ok, without a last_error', async () => {
    const gateway = await startChannelGateway({
      config: { channels_config: { slack: slackSection(fakes) } },
    });
    gateways.push(gateway);
    const { json } = await gateway.request('/health');
    const slack = (json as HealthBody).runtime.channels?.components?.slack;
    expect(slack?.status).toBe('ok');
    expect(slack).not.toHaveProperty('last_error');
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
