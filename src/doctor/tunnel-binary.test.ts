import { describe, expect, it } from 'vitest';
import { doctorConfig } from '../test-support/doctor-facts.js';
import { tunnelBinary } from './tunnel-binary.js';

describe('tunnelBinary', () => {
  it.each<[string, Record<string, unknown>, { key: string; name: string } | undefined]>([
    ['no tunnel', {}, undefined],
    ['no tunnel, even with a binary set', { tunnel: { cloudflare: { binary: '/x' } } }, undefined],
    [
      'cloudflare',
      { provider: 'cloudflare' },
      { key: 'tunnel.cloudflare.binary', name: 'cloudflared' },
    ],
    ['tailscale', { provider: 'tailscale' }, { key: 'tunnel.tailscale.binary', name: 'tailscale' }],
    ['ngrok', { provider: 'ngrok' }, { key: 'tunnel.ngrok.binary', name: 'ngrok' }],
    [
      'ngrok with a binary override',
      { provider: 'ngrok', ngrok: { binary: '/opt/ngrok/ngrok' } },
      { key: 'tunnel.ngrok.binary', name: '/opt/ngrok/ngrok' },
    ],
    [
      "another provider's override does not apply",
      { provider: 'tailscale', ngrok: { binary: '/opt/ngrok/ngrok' } },
      { key: 'tunnel.tailscale.binary', name: 'tailscale' },
    ],
    [
      'custom: first word of the command',
      { provider: 'custom', custom: { command: '  bore local {port} --to bore.pub' } },
      { key: 'tunnel.custom.command', name: 'bore' },
    ],
    [
      'custom with a binary override',
      {
        provider: 'custom',
        custom: { command: 'bore local {port}', binary: '/usr/local/bin/bore' },
      },
      { key: 'tunnel.custom.binary', name: '/usr/local/bin/bore' },
    ],
    ['custom without a command', { provider: 'custom' }, undefined],
  ])('%s', (_label, tunnel, expected) => {
    const raw = 'tunnel' in tunnel ? tunnel : { tunnel };
    expect(tunnelBinary(doctorConfig(raw))).toEqual(expected);
  });
});
