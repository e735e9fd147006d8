import { describe, expect, it } from 'vitest';
import { connectHost, connectHostPort, connectOrigin, publicOrigin } from './target-address.js';

describe('connectHost', () => {
  it.each([
    ['0.0.0.0', '127.0.0.1'],
    ['::', '::1'],
    ['127.0.0.1', '127.0.0.1'],
    ['::1', '::1'],
    ['localhost', 'localhost'],
    ['192.0.2.10', '192.0.2.10'],
  ])('maps %s to %s', (host, expected) => {
    expect(connectHost(host)).toBe(expected);
  });
});

describe('connectHostPort and connectOrigin', () => {
  it.each([
    [{ host: '127.0.0.1', port: 8080 }, '127.0.0.1:8080'],
    [{ host: '0.0.0.0', port: 80 }, '127.0.0.1:80'],
    [{ host: '::', port: 3000 }, '[::1]:3000'],
    [{ host: 'fd00::5', port: 3000 }, '[fd00::5]:3000'],
  ])('formats %o as %s', (target, expected) => {
    expect(connectHostPort(target)).toBe(expected);
    expect(connectOrigin(target)).toBe(`http://${expected}`);
  });
});

describe('publicOrigin', () => {
  it.each([
    ['https://a-b.trycloudflare.com', 'https://a-b.trycloudflare.com'],
    ['https://host.tail1234.ts.net/', 'https://host.tail1234.ts.net'],
    ['https://host.ts.net:8443/x', 'https://host.ts.net:8443'],
    ['http://tunnel.example:9000', 'http://tunnel.example:9000'],
    ['HTTPS://Upper.Example.COM', 'https://upper.example.com'],
  ])('accepts %s as %s', (candidate, expected) => {
    expect(publicOrigin(candidate)).toBe(expected);
  });

  it.each(['tunnel ready', 'ftp://files.example.com', 'javascript:alert(1)', '/relative', ''])(
    'rejects %j',
    (candidate) => {
      expect(publicOrigin(candidate)).toBeUndefined();
    },
  );
});
