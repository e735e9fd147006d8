import { describe, expect, it } from 'vitest';
import { findTailscaleUrl, tailscaleLaunch, tailscaleTargetArg } from './tailscale.js';

describe('tailscaleLaunch', () => {
  it.each([
    [{ funnel: true }, ['funnel', '8080'], 'tailscale'],
    [{ funnel: false }, ['serve', '8080'], 'tailscale'],
    [{ funnel: true, binary: '/usr/bin/tailscale' }, ['funnel', '8080'], '/usr/bin/tailscale'],
  ])('%o runs %o', (config, args, binary) => {
    const launch = tailscaleLaunch(config, { host: '127.0.0.1', port: 8080 });
    expect(launch.args).toEqual(args);
    expect(launch.binary).toBe(binary);
    expect(launch.env).toEqual({});
  });
});

describe('tailscaleTargetArg', () => {
  it.each([
    [{ host: '127.0.0.1', port: 3000 }, '3000'],
    [{ host: '0.0.0.0', port: 3000 }, '3000'],
    [{ host: '::1', port: 3000 }, 'http://[::1]:3000'],
    [{ host: '::', port: 3000 }, 'http://[::1]:3000'],
    [{ host: 'localhost', port: 3000 }, 'http://localhost:3000'],
  ])('%o becomes %s', (target, expected) => {
    expect(tailscaleTargetArg(target)).toBe(expected);
  });
});

describe('findTailscaleUrl', () => {
  it.each([
    ['https://gatehouse.tail1a2b3c.ts.net/', 'https://gatehouse.tail1a2b3c.ts.net'],
    ['https://gatehouse.tail1a2b3c.ts.net', 'https://gatehouse.tail1a2b3c.ts.net'],
    ['  https://box.tail-net.ts.net:8443/  ', 'https://box.tail-net.ts.net:8443'],
  ])('finds the url in %j', (line, expected) => {
    expect(findTailscaleUrl(line)).toBe(expected);
  });

  it.each([
    'Available on the internet:',
    '|-- proxy http://127.0.0.1:8080',
    'Funnel is not enabled on your tailnet. To enable, visit: https://login.tailscale.com/f/funnel?node=abc',
    'https://gatehouse.tail1a2b3c.ts.net.attacker.example/',
    'see https://gatehouse.tail1a2b3c.ts.net/ for details',
    'http://gatehouse.tail1a2b3c.ts.net/',
    'Press Ctrl+C to exit.',
  ])('finds nothing in %j', (line) => {
    expect(findTailscaleUrl(line)).toBeUndefined();
  });
});
