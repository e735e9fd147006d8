import { describe, expect, it } from 'vitest';
import { doctorConfig } from '../test-support/doctor-facts.js';
import { checkPublicBind, checkPublicExposure, exposureReasons } from './exposure.js';

const open = { require_pairing: false };
const unlimited = { webhook_rate_limit_per_minute: 0 };
const limited = { webhook_rate_limit_per_minute: 60 };

describe('exposureReasons', () => {
  it.each<[string, Record<string, unknown>, string[]]>([
    ['default loopback', {}, []],
    ['::1', { gateway: { host: '::1' } }, []],
    ['localhost public_url', { gateway: { public_url: 'http://localhost:8080' } }, []],
    ['0.0.0.0', { gateway: { host: '0.0.0.0' } }, ['gateway.host = "0.0.0.0" is not loopback']],
    ['tunnel', { tunnel: { provider: 'ngrok' } }, ['tunnel.provider = "ngrok"']],
    [
      'allow_public_bind',
      { gateway: { allow_public_bind: true } },
      ['gateway.allow_public_bind = true'],
    ],
    [
      'remote public_url',
      { gateway: { public_url: 'https://agent.example.com' } },
      ['gateway.public_url is agent.example.com'],
    ],
  ])('%s', (_label, raw, reasons) => {
    expect(exposureReasons(doctorConfig(raw))).toEqual(reasons);
  });
});

describe('checkPublicExposure', () => {
  it.each<[string, Record<string, unknown>, string[]]>([
    ['loopback without pairing or limit: nothing', { gateway: { ...open, ...unlimited } }, []],
    [
      'public bind without pairing: critical, and no limit: warning',
      { gateway: { host: '0.0.0.0', allow_public_bind: true, ...open, ...unlimited } },
      ['public-without-pairing', 'public-without-rate-limit'],
    ],
    [
      'tunnel without pairing, with a limit',
      { gateway: { ...open, ...limited }, tunnel: { provider: 'cloudflare' } },
      ['public-without-pairing'],
    ],
    [
      'allow_public_bind alone, pairing on, no limit',
      { gateway: { allow_public_bind: true, ...unlimited } },
      ['public-without-rate-limit'],
    ],
    [
      'public_url behind a proxy, pairing off',
      { gateway: { public_url: 'https://agent.example.com', ...open, ...limited } },
      ['public-without-pairing'],
    ],
    [
      'public and safe: pairing on and a limit',
      { gateway: { host: '0.0.0.0', allow_public_bind: true, ...limited } },
      [],
    ],
  ])('%s', (_label, raw, ids) => {
    const findings = checkPublicExposure(doctorConfig(raw));
    expect(findings.map((finding) => finding.id)).toEqual(ids);
    const pairing = findings.find((finding) => finding.id === 'public-without-pairing');
    if (pairing !== undefined) {
      expect(pairing).toMatchObject({ severity: 'critical', key: 'gateway.require_pairing' });
    }
    const limit = findings.find((finding) => finding.id === 'public-without-rate-limit');
    if (limit !== undefined) {
      expect(limit).toMatchObject({
        severity: 'warning',
        key: 'gateway.webhook_rate_limit_per_minute',
      });
    }
  });
});

describe('checkPublicBind', () => {
  it.each<[string, Record<string, unknown>, Array<[string, string]>]>([
    ['loopback', {}, []],
    ['loopback with allow_public_bind', { gateway: { allow_public_bind: true } }, []],
    ['loopback with a tunnel', { tunnel: { provider: 'tailscale' } }, []],
    [
      'public bind by opt-in',
      { gateway: { host: '0.0.0.0', allow_public_bind: true } },
      [['public-bind-without-tunnel', 'warning']],
    ],
    [
      'public bind beside a tunnel',
      { gateway: { host: '::' }, tunnel: { provider: 'cloudflare' } },
      [['tunnel-with-public-bind', 'warning']],
    ],
  ])('%s', (_label, raw, expected) => {
    const findings = checkPublicBind(doctorConfig(raw));
    expect(findings.map((finding) => [finding.id, finding.severity])).toEqual(expected);
  });
});
