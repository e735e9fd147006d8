import { describe, expect, it } from 'vitest';
import { doctorConfig, doctorFacts } from '../test-support/doctor-facts.js';
import { auditConfig, doctorExitCode } from './audit.js';
import { formatFindingsJson, formatFindingsText } from './format.js';
import { listFileSecrets } from './file-secret-keys.js';
import type { Finding } from './types.js';

const SECRETS = {
  jwt: 'jwt-secret-value-that-is-32-bytes-long!!',
  webhook: 'webhook-secret-value-1',
  whatsappToken: 'whatsapp-access-token-2',
  slackBot: 'xoxb-slack-bot-token-3',
  telegramBot: '123456:telegram-bot-token-4',
  cloudflare: 'cloudflare-tunnel-token-5',
  ngrok: 'ngrok-auth-token-6',
  openai: 'sk-openai-key-7',
  urlPassword: 'url-password-8',
};

/** Everything at once: public, unpaired, secrets in the file, loose modes, a failing live check. */
const RAW = {
  gateway: {
    host: '0.0.0.0',
    require_pairing: false,
    public_url: `http://ops:${SECRETS.urlPassword}@agent.example.com`,
    auth: { jwt_secret: SECRETS.jwt },
  },
  tunnel: {
    provider: 'cloudflare',
    cloudflare: { token: SECRETS.cloudflare },
    ngrok: { auth_token: SECRETS.ngrok },
  },
  providers: { openai: { api_key: SECRETS.openai, base_url: 'http://llm.example.com/v1' } },
  channels_config: {
    webhook: { secret: SECRETS.webhook },
    whatsapp: { access_token: SECRETS.whatsappToken, phone_number_id: '1' },
    slack: { bot_token: SECRETS.slackBot },
    telegram: { bot_token: SECRETS.telegramBot },
  },
};

function noisyAudit(): Finding[] {
  return auditConfig(
    doctorConfig(RAW),
    doctorFacts({
      configFile: { path: '/srv/gatehouse/config.toml', exists: true, mode: 0o644 },
      stateFiles: [{ path: '/srv/gatehouse/jwt.secret', mode: 0o644, grantsAccess: true }],
      fileSecrets: listFileSecrets(RAW),
      tunnelBinary: { key: 'tunnel.cloudflare.binary', name: 'cloudflared', found: false },
      gateway: {
        state: 'running',
        url: 'http://127.0.0.1:3000',
        pid: 7,
        health: { ok: true, status: 'ok' },
        publicUrl: {
          url: RAW.gateway.public_url,
          key: 'gateway.public_url',
          health: { ok: false, reason: 'HTTP 502' },
        },
      },
    }),
  );
}

describe('auditConfig', () => {
  it('finds nothing but the skipped live check on a clean loopback install', () => {
    const findings = auditConfig(doctorConfig(), doctorFacts());
    expect(findings.map((finding) => finding.id)).toEqual(['gateway-not-running']);
    expect(doctorExitCode(findings)).toBe(0);
  });

  it('sorts critical before warning before info, keeping check order within one severity', () => {
    const findings = noisyAudit();
    const ranks = findings.map((finding) =>
      ['critical', 'warning', 'info'].indexOf(finding.severity),
    );
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(findings[0]?.id).toBe('public-without-pairing');
    expect(doctorExitCode(findings)).toBe(1);
  });

  it('never shows a secret value, in findings or in either output format', () => {
    const findings = noisyAudit();
    expect(findings.length).toBeGreaterThan(15);
    const outputs = [
      JSON.stringify(findings),
      formatFindingsJson(findings),
      formatFindingsText(findings, '/srv/gatehouse/config.toml'),
    ];
    for (const output of outputs) {
      for (const value of Object.values(SECRETS)) expect(output).not.toContain(value);
    }
  });

  it('gives every finding a kebab-case id, a known severity, a message and a fix', () => {
    for (const finding of noisyAudit()) {
      expect(finding.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(['critical', 'warning', 'info']).toContain(finding.severity);
      expect(finding.message.length).toBeGreaterThan(10);
      expect(finding.fix.length).toBeGreaterThan(5);
    }
  });
});

describe('doctorExitCode', () => {
  const finding = (severity: Finding['severity']): Finding => ({
    id: 'x',
    severity,
    message: 'm',
    fix: 'f',
  });
  it.each<[Finding['severity'][], number]>([
    [[], 0],
    [['info'], 0],
    [['warning', 'info'], 0],
    [['critical'], 1],
    [['info', 'warning', 'critical'], 1],
  ])('%j → %i', (severities, code) => {
    expect(doctorExitCode(severities.map(finding))).toBe(code);
  });
});
