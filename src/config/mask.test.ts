import { describe, expect, it } from 'vitest';
import { maskSecrets, maskUrlPasswords } from './mask.js';
import { configSchema } from './schema.js';

describe('maskSecrets', () => {
  it('masks every set secret, keeps unset secrets unset and leaves other values alone', () => {
    const config = configSchema.parse({
      gateway: { paired_tokens: ['a'.repeat(64), 'b'.repeat(64)], auth: {} },
      providers: { openai: { api_key: 'sk-live' } },
      channels_config: {
        webhook: { secret: 'hook' },
        slack: { bot_token: 'xoxb', signing_secret: 'sig' },
      },
    });
    const masked = maskSecrets(config);
    expect(masked.gateway.paired_tokens).toEqual(['****', '****']);
    expect(masked.gateway.auth.jwt_secret).toBeUndefined();
    expect(masked.providers.openai?.api_key).toBe('****');
    expect(masked.channels_config.webhook.secret).toBe('****');
    expect(masked.channels_config.slack).toMatchObject({
      bot_token: '****',
      signing_secret: '****',
    });
    expect(masked.gateway.port).toBe(3000);
    expect(JSON.stringify(masked)).not.toMatch(/sk-live|"hook"|xoxb|aaaa/);
    expect(config.providers.openai?.api_key).toBe('sk-live');
  });
});

describe('maskSecrets on URLs with userinfo', () => {
  it('masks the password of providers.*.base_url and api_base_url and keeps the rest', () => {
    const config = configSchema.parse({
      providers: {
        openai: { api_key: 'sk-live', base_url: 'https://user:hunter2@llm.example/v1' },
      },
      channels_config: {
        telegram: {
          bot_token: '1:t',
          allowed_users: ['*'],
          api_base_url: 'https://bot:s3cret@tg.example',
        },
      },
    });
    const masked = maskSecrets(config);
    expect(masked.providers.openai?.base_url).toBe('https://user:****@llm.example/v1');
    expect(masked.channels_config.telegram?.api_base_url).toBe('https://bot:****@tg.example');
    expect(JSON.stringify(masked)).not.toMatch(/hunter2|s3cret/);
  });
});

describe('maskUrlPasswords', () => {
  it.each([
    ['https://user:hunter2@host/v1', 'https://user:****@host/v1'],
    ['http://:only-pass@host', 'http://:****@host'],
    ['https://user:p@ss@host/x?y=1', 'https://user:****@host/x?y=1'],
    [
      'run cloudflared --url http://a:b@127.0.0.1:3000',
      'run cloudflared --url http://a:****@127.0.0.1:3000',
    ],
  ])('masks the password in %s', (input, expected) => {
    expect(maskUrlPasswords(input)).toBe(expected);
  });

  it.each([
    'https://llm.example/v1',
    'https://user@llm.example/v1',
    'http://127.0.0.1:3000/path',
    'https://host/a:b@c',
    'not a url: really',
  ])('leaves %s unchanged', (input) => {
    expect(maskUrlPasswords(input)).toBe(input);
  });
});
