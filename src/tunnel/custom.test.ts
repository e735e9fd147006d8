import { describe, expect, it } from 'vitest';
import {
  customLaunch,
  customTunnelProblem,
  expandPlaceholders,
  findPatternUrl,
  splitCommandLine,
} from './custom.js';

describe('splitCommandLine', () => {
  it.each([
    ['tunnel --to {host}:{port}', ['tunnel', '--to', '{host}:{port}']],
    ['  a   b\tc  ', ['a', 'b', 'c']],
    ['run "two words" \'single $HOME\'', ['run', 'two words', 'single $HOME']],
    ['a "" b', ['a', '', 'b']],
    ['echo a\\ b \\"q\\"', ['echo', 'a b', '"q"']],
    ['x;rm -rf / $(id) `id` | cat', ['x;rm', '-rf', '/', '$(id)', '`id`', '|', 'cat']],
  ])('splits %j without a shell', (command, expected) => {
    expect(splitCommandLine(command)).toEqual(expected);
  });

  it.each([
    ['run "open', /unterminated " quote/],
    ["run 'open", /unterminated ' quote/],
    ['   ', /empty/],
  ])('refuses %j', (command, message) => {
    expect(() => splitCommandLine(command)).toThrow(message);
  });
});

describe('expandPlaceholders', () => {
  it.each([
    ['{host}:{port}', { host: '127.0.0.1', port: 80 }, '127.0.0.1:80'],
    [
      '--url=http://{host}:{port}/{port}',
      { host: '0.0.0.0', port: 5 },
      '--url=http://127.0.0.1:5/5',
    ],
    ['{host}', { host: '::', port: 5 }, '::1'],
    ['{other}', { host: '::1', port: 5 }, '{other}'],
  ])('expands %j for %o', (arg, target, expected) => {
    expect(expandPlaceholders(arg, target)).toBe(expected);
  });
});

describe('findPatternUrl', () => {
  it.each([
    [/url=(\S+)/, 'ready url=https://t.example.net/x', 'https://t.example.net'],
    [/https:\/\/[a-z.]+/, 'forwarding from https://t.example.net now', 'https://t.example.net'],
    [/(?:at) (\S+)/, 'listening at http://10.0.0.1:9000', 'http://10.0.0.1:9000'],
  ])('%s finds the url in %j', (pattern, line, expected) => {
    expect(findPatternUrl(pattern, line)).toBe(expected);
  });

  it.each([
    [/url=(\S+)/, 'no url here'],
    [/ready (\S+)/, 'ready now'],
    [/port (\d+)/, 'port 8080'],
  ])('%s finds nothing in %j', (pattern, line) => {
    expect(findPatternUrl(pattern, line)).toBeUndefined();
  });
});

describe('customTunnelProblem', () => {
  it.each([
    [{ url_pattern: 'x' }, /^tunnel\.custom\.command is required/],
    [
      { command: 'a "b', url_pattern: 'x' },
      /^tunnel\.custom\.command does not parse: unterminated/,
    ],
    [{ command: 'tunnel' }, /^tunnel\.custom\.url_pattern is required/],
    [
      { command: 'tunnel', url_pattern: '(unclosed' },
      /^tunnel\.custom\.url_pattern is not a valid/,
    ],
  ])('refuses %o', (config, message) => {
    expect(customTunnelProblem(config)).toMatch(message);
  });

  it('accepts a command with a valid pattern', () => {
    expect(customTunnelProblem({ command: 't {port}', url_pattern: 'https://\\S+' })).toBe(
      undefined,
    );
  });
});

describe('customLaunch', () => {
  const target = { host: '127.0.0.1', port: 8080 };

  it('runs the first word with the expanded rest as argv', () => {
    const launch = customLaunch(
      { command: 'bore local {port} --to "bore.example" --local-host {host}', url_pattern: 'x' },
      target,
    );
    expect(launch.binary).toBe('bore');
    expect(launch.args).toEqual([
      'local',
      '8080',
      '--to',
      'bore.example',
      '--local-host',
      '127.0.0.1',
    ]);
    expect(launch.env).toEqual({});
  });

  it('lets binary override the first word', () => {
    const launch = customLaunch(
      { binary: '/opt/bore', command: 'bore local {port}', url_pattern: 'x' },
      target,
    );
    expect(launch.binary).toBe('/opt/bore');
    expect(launch.args).toEqual(['local', '8080']);
  });

  it('finds the url with url_pattern', () => {
    const launch = customLaunch({ command: 't', url_pattern: 'public: (\\S+)' }, target);
    expect(launch.findUrl('public: https://abc.example.org')).toBe('https://abc.example.org');
    expect(launch.findUrl('public:')).toBeUndefined();
  });

  it('throws on an incomplete config', () => {
    expect(() => customLaunch({ command: 't' }, target)).toThrow(/url_pattern is required/);
  });
});
