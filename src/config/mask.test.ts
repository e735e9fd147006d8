import { describe, expect, it } from 'vitest';
import { maskSecrets } from './mask.js';
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
