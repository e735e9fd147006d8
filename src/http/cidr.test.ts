import { describe, expect, it } from 'vitest';
import { createAddressMatcher, isCidr, parseCidr } from './cidr.js';

describe('parseCidr', () => {
  it.each([
    ['10.0.0.0/8', { address: '10.0.0.0', prefix: 8, family: 'ipv4' }],
    ['127.0.0.1', { address: '127.0.0.1', prefix: 32, family: 'ipv4' }],
    ['::1/128', { address: '::1', prefix: 128, family: 'ipv6' }],
    ['2001:db8::/32', { address: '2001:db8::', prefix: 32, family: 'ipv6' }],
    ['fe80::1', { address: 'fe80::1', prefix: 128, family: 'ipv6' }],
  ])('accepts %s', (text, expected) => {
    expect(parseCidr(text)).toEqual(expected);
  });

  it.each(['10.0.0.0/33', '::1/129', '10.0.0.0/', '10.0.0.0/8/8', 'proxy.local', '10.0.0/8', ''])(
    'refuses %s',
    (text) => {
      expect(isCidr(text)).toBe(false);
    },
  );
});

describe('createAddressMatcher', () => {
  const matcher = createAddressMatcher(['10.0.0.0/8', '192.168.1.7', '2001:db8::/32']);

  it.each([
    ['10.255.0.1', true],
    ['11.0.0.1', false],
    ['192.168.1.7', true],
    ['192.168.1.8', false],
    ['::ffff:10.1.1.1', true],
    ['2001:db8:1::9', true],
    ['2001:db9::1', false],
    ['not-an-ip', false],
  ])('%s inside → %s', (ip, expected) => {
    expect(matcher(ip)).toBe(expected);
  });

  it('matches nothing when empty', () => {
    expect(createAddressMatcher([])('127.0.0.1')).toBe(false);
  });
});
