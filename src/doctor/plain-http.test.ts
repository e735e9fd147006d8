import { describe, expect, it } from 'vitest';
import { doctorConfig } from '../test-support/doctor-facts.js';
import { checkPlainHttp } from './plain-http.js';

describe('checkPlainHttp', () => {
  it.each<[string, Record<string, unknown>, Array<[string, string]>]>([
    ['defaults', {}, []],
    ['https public_url', { gateway: { public_url: 'https://agent.example.com' } }, []],
    ['http public_url on loopback', { gateway: { public_url: 'http://127.0.0.1:8080' } }, []],
    ['http public_url on localhost', { gateway: { public_url: 'http://localhost' } }, []],
    ['http public_url on [::1]', { gateway: { public_url: 'http://[::1]:8080' } }, []],
    [
      'http public_url on a remote host',
      { gateway: { public_url: 'http://agent.example.com' } },
      [['public-url-plain-http', 'gateway.public_url']],
    ],
    [
      'http public_url on a LAN address',
      { gateway: { public_url: 'http://192.168.1.10:3000' } },
      [['public-url-plain-http', 'gateway.public_url']],
    ],
    [
      'allowed origins: one https, one loopback http, two remote http',
      {
        channels_config: {
          web: {
            allowed_origins: [
              'https://chat.example.com',
              'http://localhost:5173',
              'http://chat.example.com',
              'http://10.0.0.2',
            ],
          },
        },
      },
      [
        ['allowed-origin-plain-http', 'channels_config.web.allowed_origins'],
        ['allowed-origin-plain-http', 'channels_config.web.allowed_origins'],
      ],
    ],
    [
      'provider base_url: remote http vs local http vs https',
      {
        providers: {
          openai: { base_url: 'http://llm.example.com/v1' },
          local: { type: 'openai', base_url: 'http://127.0.0.1:11434/v1' },
          anthropic: { base_url: 'https://api.anthropic.com' },
        },
      },
      [['provider-plain-http', 'providers.openai.base_url']],
    ],
  ])('%s', (_label, raw, expected) => {
    const findings = checkPlainHttp(doctorConfig(raw));
    expect(findings.map((finding) => [finding.id, finding.key])).toEqual(expected);
    for (const finding of findings) expect(finding.severity).toBe('warning');
  });

  it('masks a password written in the URL', () => {
    const [finding] = checkPlainHttp(
      doctorConfig({ gateway: { public_url: 'http://user:hunter2secret@agent.example.com' } }),
    );
    expect(finding?.message).not.toContain('hunter2secret');
    expect(finding?.message).toContain('user:****@');
  });
});
