import { describe, expect, it } from 'vitest';
import { listFileSecrets } from './file-secret-keys.js';

describe('listFileSecrets', () => {
  it.each<[string, Record<string, unknown>, Array<[string, string]>]>([
    ['empty file', {}, []],
    ['sections without secrets', { gateway: { port: 0 }, providers: { openai: {} } }, []],
    ['an empty string is no secret', { channels_config: { webhook: { secret: '' } } }, []],
    [
      'paired token hashes are not env secrets',
      { gateway: { paired_tokens: ['a'.repeat(64)] } },
      [],
    ],
    [
      'every fixed secret',
      {
        gateway: { auth: { jwt_secret: 'j' } },
        channels_config: {
          webhook: { secret: 'w' },
          whatsapp: { app_secret: 'a', access_token: 't', verify_token: 'v' },
          slack: { signing_secret: 's', bot_token: 'b' },
          telegram: { bot_token: 'b', secret_token: 's' },
        },
        tunnel: { cloudflare: { token: 'c' }, ngrok: { auth_token: 'n' } },
      },
      [
        ['channels_config.webhook.secret', 'GATEHOUSE_WEBHOOK_SECRET'],
        ['channels_config.whatsapp.app_secret', 'GATEHOUSE_WHATSAPP_APP_SECRET'],
        ['channels_config.whatsapp.access_token', 'GATEHOUSE_WHATSAPP_ACCESS_TOKEN'],
        ['channels_config.whatsapp.verify_token', 'GATEHOUSE_WHATSAPP_VERIFY_TOKEN'],
        ['channels_config.slack.signing_secret', 'GATEHOUSE_SLACK_SIGNING_SECRET'],
        ['channels_config.slack.bot_token', 'GATEHOUSE_SLACK_BOT_TOKEN'],
        ['channels_config.telegram.bot_token', 'GATEHOUSE_TELEGRAM_BOT_TOKEN'],
        ['channels_config.telegram.secret_token', 'GATEHOUSE_TELEGRAM_SECRET_TOKEN'],
        ['gateway.auth.jwt_secret', 'GATEHOUSE_JWT_SECRET'],
        ['tunnel.cloudflare.token', 'GATEHOUSE_CLOUDFLARE_TUNNEL_TOKEN'],
        ['tunnel.ngrok.auth_token', 'GATEHOUSE_NGROK_AUTH_TOKEN'],
      ],
    ],
    [
      'provider keys, with the name mapped like the loader does',
      { providers: { openai: { api_key: 'sk' }, 'my-llm': { type: 'openai', api_key: 'k' } } },
      [
        ['providers.openai.api_key', 'GATEHOUSE_OPENAI_API_KEY'],
        ['providers.my-llm.api_key', 'GATEHOUSE_MY_LLM_API_KEY'],
      ],
    ],
  ])('%s', (_label, raw, expected) => {
    expect(listFileSecrets(raw).map(({ key, env }) => [key, env])).toEqual(expected);
  });
});
