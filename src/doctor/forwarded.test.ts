import { describe, expect, it } from 'vitest';
import { doctorConfig } from '../test-support/doctor-facts.js';
import { checkForwardedHeaders, checkTrustedProxyWidth } from './forwarded.js';

const PUBLIC_URL = 'https://agent.example.com';
const LOCAL_PROXIES = ['127.0.0.1/32', '::1/128'];

describe('checkForwardedHeaders', () => {
  it.each<[string, Record<string, unknown>, Array<[string, string, string]>]>([
    ['loopback, nothing trusted, no proxy', {}, []],
    [
      'loopback, trust_forwarded_headers, no proxy: local processes can spoof',
      { gateway: { trust_forwarded_headers: true } },
      [['forwarded-headers-without-proxy', 'warning', 'gateway.trust_forwarded_headers']],
    ],
    [
      'loopback, trusted_proxies with loopback, no proxy',
      { gateway: { trusted_proxies: LOCAL_PROXIES } },
      [['forwarded-headers-without-proxy', 'warning', 'gateway.trusted_proxies']],
    ],
    [
      'loopback, trusted_proxies without loopback: no effect',
      { gateway: { trusted_proxies: ['10.0.0.0/8'] } },
      [['forwarded-headers-without-proxy', 'info', 'gateway.trusted_proxies']],
    ],
    [
      'tunnel without trust: clients share the loopback address',
      { tunnel: { provider: 'cloudflare' } },
      [['proxy-without-trusted-proxies', 'warning', 'gateway.trusted_proxies']],
    ],
    [
      'tunnel with trusted_proxies',
      { tunnel: { provider: 'ngrok' }, gateway: { trusted_proxies: LOCAL_PROXIES } },
      [],
    ],
    [
      'tunnel with trust_forwarded_headers',
      { tunnel: { provider: 'tailscale' }, gateway: { trust_forwarded_headers: true } },
      [],
    ],
    [
      'loopback bind with public_url (local reverse proxy) without trust',
      { gateway: { public_url: PUBLIC_URL } },
      [['proxy-without-trusted-proxies', 'warning', 'gateway.trusted_proxies']],
    ],
    [
      'loopback bind with public_url and trust',
      { gateway: { public_url: PUBLIC_URL, trusted_proxies: LOCAL_PROXIES } },
      [],
    ],
    [
      'public bind with public_url, nothing trusted: a remote proxy may forward',
      { gateway: { host: '0.0.0.0', allow_public_bind: true, public_url: PUBLIC_URL } },
      [['public-url-without-trusted-proxies', 'info', 'gateway.trusted_proxies']],
    ],
    [
      'public bind with public_url and a trusted remote proxy',
      {
        gateway: {
          host: '0.0.0.0',
          allow_public_bind: true,
          public_url: PUBLIC_URL,
          trusted_proxies: ['10.0.0.5/32'],
        },
      },
      [],
    ],
    [
      'public bind without public_url or tunnel: no proxy is evident',
      { gateway: { host: '0.0.0.0', allow_public_bind: true } },
      [],
    ],
  ])('%s', (_label, raw, expected) => {
    const findings = checkForwardedHeaders(doctorConfig(raw));
    expect(findings.map((finding) => [finding.id, finding.severity, finding.key])).toEqual(
      expected,
    );
  });
});

describe('checkTrustedProxyWidth', () => {
  it.each<[string[], number]>([
    [[], 0],
    [LOCAL_PROXIES, 0],
    [['10.0.0.0/8', '::/1'], 0],
    [['0.0.0.0/0'], 1],
    [['::/0', '0.0.0.0/0'], 2],
  ])('%j → %i finding(s)', (proxies, count) => {
    const findings = checkTrustedProxyWidth(
      doctorConfig({ gateway: { trusted_proxies: proxies } }),
    );
    expect(findings).toHaveLength(count);
    for (const finding of findings) {
      expect(finding).toMatchObject({ id: 'trusted-proxies-everyone', severity: 'warning' });
    }
  });
});
