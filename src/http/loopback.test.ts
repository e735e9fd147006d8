import { describe, expect, it } from 'vitest';
import { isLoopbackAddress, isLoopbackHost } from './loopback.js';

describe('isLoopbackAddress', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.255.255.255', true],
    ['::1', true],
    ['0:0:0:0:0:0:0:1', true],
    ['::ffff:127.0.0.1', true],
    ['::FFFF:127.0.0.1', true],
    ['::ffff:7f00:1', true],
    ['0:0:0:0:0:ffff:127.0.0.1', true],
    ['126.255.255.255', false],
    ['128.0.0.1', false],
    ['0.0.0.0', false],
    ['::', false],
    ['::2', false],
    ['fe80::1', false],
    ['::ffff:10.0.0.1', false],
    ['::ffff:0:127.0.0.1', false],
    ['::127.0.0.1', false],
    ['127.1', false],
    ['0177.0.0.1', false],
    ['2130706433', false],
    [' 127.0.0.1', false],
    ['[::1]', false],
    ['localhost', false],
    ['127.0.0.1.evil.com', false],
    ['', false],
  ])('%j → %s', (address, expected) => {
    expect(isLoopbackAddress(address)).toBe(expected);
  });
});

describe('isLoopbackHost', () => {
  it.each([
    ['127.0.0.1', true],
    ['::1', true],
    ['[::1]', true],
    ['[::ffff:127.0.0.1]', true],
    ['::ffff:7f00:1', true],
    ['localhost', true],
    ['LocalHost', true],
    ['[localhost]', true],
    ['localhost.', false],
    ['localhost.example.com', false],
    ['[::]', false],
    ['[::1', false],
    ['::1]', false],
    ['10.0.0.1', false],
    ['example.com', false],
    ['', false],
  ])('%j → %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});
