import { describe, expect, it } from 'vitest';
import { doctorConfig, doctorFacts } from '../test-support/doctor-facts.js';
import { checkTunnel } from './tunnel.js';
import type { DoctorFacts } from './types.js';

type Binary = DoctorFacts['tunnelBinary'];
const cloudflared = (found: boolean): Binary => ({
  key: 'tunnel.cloudflare.binary',
  name: 'cloudflared',
  found,
});

describe('checkTunnel', () => {
  it.each<[string, Record<string, unknown>, Binary, Array<[string, string, string]>]>([
    ['no tunnel', {}, undefined, []],
    ['cloudflared on PATH', { provider: 'cloudflare' }, cloudflared(true), []],
    [
      'cloudflared missing',
      { provider: 'cloudflare' },
      cloudflared(false),
      [['tunnel-binary-missing', 'critical', 'tunnel.cloudflare.binary']],
    ],
    [
      'named tunnel without url',
      { provider: 'cloudflare', cloudflare: { token: 't' } },
      cloudflared(true),
      [['tunnel-cloudflare-url-missing', 'warning', 'tunnel.cloudflare.url']],
    ],
    [
      'named tunnel with url',
      { provider: 'cloudflare', cloudflare: { token: 't', url: 'https://agent.example.com' } },
      cloudflared(true),
      [],
    ],
    [
      'custom without command or pattern',
      { provider: 'custom' },
      undefined,
      [
        ['tunnel-custom-incomplete', 'critical', 'tunnel.custom.command'],
        ['tunnel-custom-incomplete', 'critical', 'tunnel.custom.url_pattern'],
      ],
    ],
    [
      'custom complete, binary missing',
      { provider: 'custom', custom: { command: 'bore local {port}', url_pattern: 'https://\\S+' } },
      { key: 'tunnel.custom.command', name: 'bore', found: false },
      [['tunnel-binary-missing', 'critical', 'tunnel.custom.command']],
    ],
    [
      'custom complete, binary found',
      { provider: 'custom', custom: { command: 'bore local {port}', url_pattern: 'https://\\S+' } },
      { key: 'tunnel.custom.command', name: 'bore', found: true },
      [],
    ],
  ])('%s', (_label, tunnel, tunnelBinary, expected) => {
    const findings = checkTunnel(
      doctorConfig({ tunnel }),
      doctorFacts(tunnelBinary === undefined ? {} : { tunnelBinary }),
    );
    expect(findings.map((finding) => [finding.id, finding.severity, finding.key])).toEqual(
      expected,
    );
  });

  it('tells where to set the full path: the binary key, also for a custom command', () => {
    const [custom] = checkTunnel(
      doctorConfig({
        tunnel: { provider: 'custom', custom: { command: 'bore', url_pattern: 'x' } },
      }),
      doctorFacts({ tunnelBinary: { key: 'tunnel.custom.command', name: 'bore', found: false } }),
    );
    expect(custom?.fix).toContain('tunnel.custom.binary');
    expect(custom?.message).toContain('not found on PATH');
    const [path] = checkTunnel(
      doctorConfig({ tunnel: { provider: 'ngrok', ngrok: { binary: '/opt/ngrok' } } }),
      doctorFacts({
        tunnelBinary: { key: 'tunnel.ngrok.binary', name: '/opt/ngrok', found: false },
      }),
    );
    expect(path?.message).toContain('not an executable file');
    expect(path?.fix).toContain('tunnel.ngrok.binary');
  });
});
