import { describe, expect, it } from 'vitest';
import { doctorConfig } from '../test-support/doctor-facts.js';
import { checkChannelSecrets } from './channel-secrets.js';

const whatsapp = { access_token: 'EAAtoken', phone_number_id: '123456789012345' };
const slack = { bot_token: 'xoxb-token' };
const telegram = { bot_token: '123:abc' };

describe('checkChannelSecrets', () => {
  it.each<[string, Record<string, unknown>, string[]]>([
    ['no channel configured', {}, []],
    [
      'whatsapp without app_secret and verify_token',
      { whatsapp },
      ['whatsapp-app-secret-unset', 'whatsapp-verify-token-unset'],
    ],
    [
      'whatsapp with verify_token only',
      { whatsapp: { ...whatsapp, verify_token: 'v' } },
      ['whatsapp-app-secret-unset'],
    ],
    ['whatsapp with both', { whatsapp: { ...whatsapp, verify_token: 'v', app_secret: 's' } }, []],
    ['slack without signing_secret', { slack }, ['slack-signing-secret-unset']],
    ['slack with signing_secret', { slack: { ...slack, signing_secret: 's' } }, []],
    ['telegram webhook without secret_token', { telegram }, ['telegram-secret-token-unset']],
    ['telegram webhook with secret_token', { telegram: { ...telegram, secret_token: 't' } }, []],
    ['telegram polling needs no secret_token', { telegram: { ...telegram, mode: 'polling' } }, []],
  ])('%s', (_label, channels, ids) => {
    const findings = checkChannelSecrets(doctorConfig({ channels_config: channels }));
    expect(findings.map((finding) => finding.id)).toEqual(ids);
    for (const finding of findings) {
      expect(finding.severity).toBe('warning');
      expect(finding.key).toMatch(/^channels_config\.\w+\.\w+$/);
      expect(finding.fix).toMatch(/GATEHOUSE_[A-Z_]+/);
    }
  });

  it('names the env var of each secret in the fix', () => {
    const [finding] = checkChannelSecrets(doctorConfig({ channels_config: { slack } }));
    expect(finding?.fix).toContain('GATEHOUSE_SLACK_SIGNING_SECRET');
  });
});
