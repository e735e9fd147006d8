import { describe, it, expect } from 'vitest';
import type { IncomingHttpHeaders } from 'node:http';
import { deriveClientKey, normalizeIp, UNKNOWN_CLIENT } from './client-key.js';

describe('deriveClientKey', () => {
  const cases: Array<[string, string | undefined, IncomingHttpHeaders, boolean, string]> = [
    ['uses the peer IP', '10.0.0.5', {}, false, '10.0.0.5'],
    ['unmaps an IPv4-mapped IPv6 peer', '::ffff:192.168.1.9', {}, false, '192.168.1.9'],
    ['lowercases an IPv6 peer', '2001:DB8::1', {}, false, '2001:db8::1'],
    ['keeps a plain IPv6 loopback', '::1', {}, false, '::1'],
    ['falls back when the peer is gone', undefined, {}, false, UNKNOWN_CLIENT],
    [
      'ignores X-Forwarded-For when not trusted',
      '127.0.0.1',
      { 'x-forwarded-for': '203.0.113.7' },
      false,
      '127.0.0.1',
    ],
    [
      'ignores X-Real-IP when not trusted',
      '127.0.0.1',
      { 'x-real-ip': '203.0.113.7' },
      false,
      '127.0.0.1',
    ],
    [
      'uses the left-most X-Forwarded-For entry when trusted',
      '127.0.0.1',
      { 'x-forwarded-for': '203.0.113.7, 10.0.0.1, 10.0.0.2' },
      true,
      '203.0.113.7',
    ],
    [
      'skips invalid X-Forwarded-For entries',
      '127.0.0.1',
      { 'x-forwarded-for': 'unknown, not-an-ip, 198.51.100.4' },
      true,
      '198.51.100.4',
    ],
    [
      'skips entries with ports',
      '127.0.0.1',
      { 'x-forwarded-for': '198.51.100.4:8080, 198.51.100.5' },
      true,
      '198.51.100.5',
    ],
    [
      'unmaps a mapped forwarded address',
      '127.0.0.1',
      { 'x-forwarded-for': '::ffff:198.51.100.4' },
      true,
      '198.51.100.4',
    ],
    [
      'falls back to X-Real-IP when X-Forwarded-For has no valid entry',
      '127.0.0.1',
      { 'x-forwarded-for': 'garbage', 'x-real-ip': '192.0.2.44' },
      true,
      '192.0.2.44',
    ],
    [
      'falls back to the peer when both headers are invalid',
      '127.0.0.1',
      { 'x-forwarded-for': ',,', 'x-real-ip': '999.1.1.1' },
      true,
      '127.0.0.1',
    ],
    ['uses the peer when trusted but no headers are sent', '10.1.1.1', {}, true, '10.1.1.1'],
    [
      'accepts an IPv6 forwarded address',
      '127.0.0.1',
      { 'x-forwarded-for': '2001:db8::abcd' },
      true,
      '2001:db8::abcd',
    ],
    [
      'rejects a header-injection attempt',
      '127.0.0.1',
      { 'x-real-ip': '1.2.3.4\r\nX-Evil: 1' },
      true,
      '127.0.0.1',
    ],
  ];

  it.each(cases)('%s', (_name, peerIp, headers, trustForwarded, expected) => {
    expect(deriveClientKey({ peerIp, headers, trustForwarded })).toBe(expected);
  });
});

describe('normalizeIp', () => {
  it.each([
    ['1.2.3.4', '1.2.3.4'],
    [' 1.2.3.4 ', '1.2.3.4'],
    ['::FFFF:1.2.3.4', '1.2.3.4'],
    ['fe80::1', 'fe80::1'],
    ['localhost', undefined],
    ['', undefined],
    ['1.2.3', undefined],
  ])('normalizes %j to %j', (input, expected) => {
    expect(normalizeIp(input)).toBe(expected);
  });
});
