import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import {
  createTrustedProxyMatcher,
  normalizeIp,
  parseForwardedFor,
  resolveClientAddress,
  UNKNOWN_CLIENT,
} from './client-address.js';

const none = createTrustedProxyMatcher({ trustedProxies: [], trustForwardedHeaders: false });
const loopback = createTrustedProxyMatcher({ trustedProxies: [], trustForwardedHeaders: true });
const lan = createTrustedProxyMatcher({
  trustedProxies: ['10.0.0.0/8', '2001:db8:ffff::/48'],
  trustForwardedHeaders: false,
});
const both = createTrustedProxyMatcher({
  trustedProxies: ['10.0.0.0/8'],
  trustForwardedHeaders: true,
});

type Case = [
  name: string,
  peer: string | undefined,
  headers: IncomingHttpHeaders,
  trusted: typeof none,
  expected: string,
];

describe('resolveClientAddress', () => {
  const cases: Case[] = [
    ['uses the peer address without a proxy', '203.0.113.9', {}, none, '203.0.113.9'],
    ['unmaps an IPv4-mapped peer', '::ffff:192.168.1.9', {}, none, '192.168.1.9'],
    ['lower-cases an IPv6 peer', '2001:DB8::1', {}, none, '2001:db8::1'],
    ['falls back when the peer is gone', undefined, {}, none, UNKNOWN_CLIENT],
    [
      'ignores X-Forwarded-For from an untrusted peer',
      '127.0.0.1',
      { 'x-forwarded-for': '203.0.113.7' },
      none,
      '127.0.0.1',
    ],
    [
      'ignores Forwarded and X-Real-IP from an untrusted peer',
      '198.51.100.1',
      { forwarded: 'for=203.0.113.7', 'x-real-ip': '203.0.113.8' },
      loopback,
      '198.51.100.1',
    ],
    [
      'takes the right-most entry appended by a trusted proxy',
      '127.0.0.1',
      { 'x-forwarded-for': '203.0.113.7' },
      loopback,
      '203.0.113.7',
    ],
    [
      'ignores a spoofed left-most entry (nginx $proxy_add_x_forwarded_for)',
      '127.0.0.1',
      { 'x-forwarded-for': '1.2.3.4, 203.0.113.7' },
      loopback,
      '203.0.113.7',
    ],
    [
      'skips several trusted hops',
      '10.0.0.2',
      { 'x-forwarded-for': '6.6.6.6, 198.51.100.4, 10.0.0.9, 10.1.1.1' },
      lan,
      '198.51.100.4',
    ],
    [
      'skips loopback and configured hops together',
      '127.0.0.1',
      { 'x-forwarded-for': '6.6.6.6, 198.51.100.4, 10.0.0.9, 127.0.0.1' },
      both,
      '198.51.100.4',
    ],
    [
      'skips malformed entries instead of trusting them',
      '127.0.0.1',
      { 'x-forwarded-for': '6.6.6.6, 198.51.100.4, not-an-ip, unknown' },
      loopback,
      '198.51.100.4',
    ],
    [
      'never uses an entry with a port in X-Forwarded-For',
      '127.0.0.1',
      { 'x-forwarded-for': '198.51.100.5, 198.51.100.4:8080' },
      loopback,
      '198.51.100.5',
    ],
    [
      'unmaps a mapped forwarded address',
      '127.0.0.1',
      { 'x-forwarded-for': '::ffff:198.51.100.4' },
      loopback,
      '198.51.100.4',
    ],
    [
      'compares a mapped forwarded hop with IPv4 proxies',
      '10.0.0.2',
      { 'x-forwarded-for': '198.51.100.4, ::ffff:10.0.0.3' },
      lan,
      '198.51.100.4',
    ],
    [
      'reads IPv6 client addresses',
      '::1',
      { 'x-forwarded-for': '2001:DB8::77' },
      loopback,
      '2001:db8::77',
    ],
    [
      'skips IPv6 trusted hops',
      '2001:db8:ffff::1',
      { 'x-forwarded-for': '2001:db8::77, 2001:db8:ffff::2' },
      lan,
      '2001:db8::77',
    ],
    [
      'trusts an IPv4-mapped peer inside an IPv4 network',
      '::ffff:10.0.0.2',
      { 'x-forwarded-for': '198.51.100.4' },
      lan,
      '198.51.100.4',
    ],
    [
      'joins repeated X-Forwarded-For headers in order',
      '127.0.0.1',
      { 'x-forwarded-for': ['6.6.6.6', '198.51.100.4'] },
      loopback,
      '198.51.100.4',
    ],
    [
      'takes the furthest address when every hop is trusted',
      '10.0.0.2',
      { 'x-forwarded-for': 'garbage, 10.0.0.7, 10.0.0.8' },
      lan,
      '10.0.0.7',
    ],
    [
      'falls back to the peer when no entry is valid',
      '127.0.0.1',
      { 'x-forwarded-for': 'garbage', 'x-real-ip': '192.0.2.44' },
      loopback,
      '127.0.0.1',
    ],
    [
      'reads Forwarded when X-Forwarded-For is absent',
      '127.0.0.1',
      { forwarded: 'for=6.6.6.6, for=198.51.100.4;proto=https' },
      loopback,
      '198.51.100.4',
    ],
    [
      'prefers X-Forwarded-For over Forwarded',
      '127.0.0.1',
      { 'x-forwarded-for': '198.51.100.4', forwarded: 'for=198.51.100.5' },
      loopback,
      '198.51.100.4',
    ],
    [
      'reads a quoted bracketed IPv6 Forwarded node with a port',
      '127.0.0.1',
      { forwarded: 'for="[2001:db8:cafe::17]:4711"' },
      loopback,
      '2001:db8:cafe::17',
    ],
    [
      'reads a quoted IPv4 Forwarded node with a port',
      '127.0.0.1',
      { forwarded: 'For="198.51.100.4:47011";by=10.0.0.1' },
      loopback,
      '198.51.100.4',
    ],
    [
      'skips obfuscated and unknown Forwarded nodes',
      '127.0.0.1',
      { forwarded: 'for=198.51.100.4, for=_hidden, for=unknown' },
      loopback,
      '198.51.100.4',
    ],
    [
      'uses X-Real-IP only when neither list header is present',
      '127.0.0.1',
      { 'x-real-ip': '192.0.2.44' },
      loopback,
      '192.0.2.44',
    ],
    [
      'ignores a malformed X-Real-IP',
      '127.0.0.1',
      { 'x-real-ip': '192.0.2.44, 1.1.1.1' },
      loopback,
      '127.0.0.1',
    ],
  ];

  it.each(cases)('%s', (_name, peerIp, headers, isTrustedProxy, expected) => {
    expect(resolveClientAddress({ peerIp, headers, isTrustedProxy })).toBe(expected);
  });
});

describe('parseForwardedFor', () => {
  it.each([
    ['for=192.0.2.60;proto=http;by=203.0.113.43', ['192.0.2.60']],
    ['for="_gazonk"', [undefined]],
    ['For="[2001:db8:cafe::17]:4711"', ['2001:db8:cafe::17']],
    ['for=192.0.2.43, for=198.51.100.17', ['192.0.2.43', '198.51.100.17']],
    ['for="192.0.2.43:80"', ['192.0.2.43']],
    ['for=2001:db8::1', [undefined]],
    ['for="[2001:db8::1]:x"', [undefined]],
    ['for="[1.2.3.4]"', [undefined]],
    ['proto=https;host="a,b";for=192.0.2.9', ['192.0.2.9']],
    ['by=10.0.0.1', []],
  ] as Array<[string, Array<string | undefined>]>)('parses %s', (header, expected) => {
    expect(parseForwardedFor(header)).toEqual(expected);
  });
});

describe('normalizeIp', () => {
  it.each([
    ['10.0.0.1', '10.0.0.1'],
    [' 10.0.0.1 ', '10.0.0.1'],
    ['::FFFF:10.0.0.1', '10.0.0.1'],
    ['FE80::1', 'fe80::1'],
    ['10.0.0.256', undefined],
    ['example.com', undefined],
    ['', undefined],
  ] as Array<[string, string | undefined]>)('%s → %s', (input, expected) => {
    expect(normalizeIp(input)).toBe(expected);
  });
});
