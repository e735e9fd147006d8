import { describe, expect, it } from 'vitest';
import { childEnv } from './child-env.js';

describe('childEnv', () => {
  it('drops GATEHOUSE_* variables, keeps the rest and adds the launch env', () => {
    const env = childEnv(
      {
        PATH: '/usr/bin',
        HOME: '/home/gw',
        HTTPS_PROXY: 'http://proxy:3128',
        GATEHOUSE_JWT_SECRET: 'jwt-secret-that-must-not-leak-0123456789',
        GATEHOUSE_CLOUDFLARE_TUNNEL_TOKEN: 'token-from-env',
        gatehouse_lowercase: 'x',
        UNSET: undefined,
      },
      { TUNNEL_TOKEN: 'token-from-env' },
    );
    expect(env).toEqual({
      PATH: '/usr/bin',
      HOME: '/home/gw',
      HTTPS_PROXY: 'http://proxy:3128',
      TUNNEL_TOKEN: 'token-from-env',
    });
  });

  it('lets the launch env win over an inherited variable of the same name', () => {
    expect(childEnv({ NGROK_AUTHTOKEN: 'old' }, { NGROK_AUTHTOKEN: 'new' })).toEqual({
      NGROK_AUTHTOKEN: 'new',
    });
  });
});
