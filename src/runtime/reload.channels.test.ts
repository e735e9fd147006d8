import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  channelGatewayToml,
  startChannelFakes,
  startChannelGateway,
  whatsappSection,
  type ChannelFakes,
  type ChannelGateway,
} from '../test-support/channel-gateway.js';
import { whatsappWebhook } from '../test-support/channel-payloads.js';

/* A channel allowlist changed in the file takes effect on reload, without a restart. */

let fakes: ChannelFakes;
let gateway: ChannelGateway | undefined;
beforeAll(async () => {
  fakes = await startChannelFakes();
});
afterAll(async () => {
  await fakes.close();
});
afterEach(async () => {
  await gateway?.cleanup();
  gateway = undefined;
});

const message = (id: string) =>
  JSON.stringify(whatsappWebhook([[{ from: '15550000001', id, text: 'hello' }]]));

describe('reload of channel allowlists', () => {
  it('serves a WhatsApp number once it is added to allowed_numbers and reloaded', async () => {
    gateway = await startChannelGateway({
      config: { channels_config: { whatsapp: whatsappSection(fakes, { allowed_numbers: [] }) } },
    });
    expect((await gateway.postWhatsApp(message('wamid.r1'))).json).toMatchObject({ accepted: 0 });

    const text = readFileSync(gateway.configPath, 'utf8');
    const next = channelGatewayToml({
      channels_config: { whatsapp: whatsappSection(fakes, { allowed_numbers: ['+15550000001'] }) },
    });
    expect(next).not.toBe(text);
    writeFileSync(gateway.configPath, next);
    expect(await gateway.handle.reloads.reload()).toMatchObject({
      ok: true,
      applied: ['channels_config.whatsapp.allowed_numbers'],
      restartRequired: [],
    });
    expect((await gateway.postWhatsApp(message('wamid.r2'))).json).toMatchObject({ accepted: 1 });
  });
});
