import { describe, expect, it } from 'vitest';
import { checkBindPolicy } from './bind-policy.js';
import { isLoopbackHost } from '../http/loopback.js';

const closed = { tunnelProvider: 'none', allowPublicBind: false };

describe('isLoopbackHost', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.255.10.3', true],
    ['localhost', true],
    ['LOCALHOST', true],
    ['::1', true],
    ['[::1]', true],
    ['0:0:0:0:0:0:0:1', true],
    ['::ffff:127.0.0.1', true],
    ['::ffff:7f00:1', true],
    ['0.0.0.0', false],
    ['::', false],
    ['[::]', false],
    ['10.0.0.1', false],
    ['128.0.0.1', false],
    ['::ffff:10.0.0.1', false],
    ['::2', false],
    ['example.com', false],
  ])('%s → %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});

describe('checkBindPolicy', () => {
  it.each(['127.0.0.1', '127.0.0.53', '::1', '[::1]', '0:0:0:0:0:0:0:1', 'localhost'])(
    'accepts loopback %s without a tunnel and without a warning',
    (host) => {
      expect(checkBindPolicy({ host, ...closed })).toEqual({
        ok: true,
        public: false,
        address: host.replace(/^\[(.*)\]$/, '$1'),
      });
    },
  );

  it.each(['0.0.0.0', '::', '[::]', '192.168.1.10', '::ffff:10.0.0.1', 'fe80::1'])(
    'refuses public %s without a tunnel or allow_public_bind, naming both',
    (host) => {
      const result = checkBindPolicy({ host, ...closed });
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.message).toContain('allow_public_bind');
        expect(result.message).toContain('[tunnel]');
      }
    },
  );

  it.each(['cloudflare', 'tailscale', 'ngrok', 'custom'])(
    'accepts a public bind when the %s tunnel is active, without a warning',
    (tunnelProvider) => {
      expect(checkBindPolicy({ host: '0.0.0.0', tunnelProvider, allowPublicBind: false })).toEqual({
        ok: true,
        public: true,
        address: '0.0.0.0',
      });
    },
  );

  it('accepts a public bind with allow_public_bind = true and returns a warning', () => {
    const result = checkBindPolicy({
      host: '0.0.0.0',
      tunnelProvider: 'none',
      allowPublicBind: true,
    });
    expect(result).toMatchObject({ ok: true, public: true, address: '0.0.0.0' });
    expect(result.ok && result.warning).toContain('allow_public_bind');
  });

  it.each(['my host', '999.1.1.1', '', ' 127.0.0.1', '127.1', '127.0.0.1:3000', '[::1', '::g'])(
    'refuses %j as a host that does not parse, even when a public bind is allowed',
    (host) => {
      const result = checkBindPolicy({ host, tunnelProvider: 'cloudflare', allowPublicBind: true });
      expect(result).toEqual({ ok: false, message: expect.stringContaining('does not parse') });
    },
  );

  it.each(['example.com', 'gateway.internal.example.org'])(
    'refuses hostname %s because only IP literals are bound',
    (host) => {
      const result = checkBindPolicy({ host, tunnelProvider: 'none', allowPublicBind: true });
      expect(result).toEqual({ ok: false, message: expect.stringContaining('IP addresses only') });
    },
  );
});
