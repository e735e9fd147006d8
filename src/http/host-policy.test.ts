import { describe, expect, it } from 'vitest';
import { createHostPolicy, hostForm, parseHostHeader } from './host-policy.js';

describe('parseHostHeader', () => {
  it.each([
    ['localhost', 'localhost'],
    ['LocalHost:3000', 'localhost'],
    ['127.0.0.1:3000', '127.0.0.1'],
    ['[::1]:3000', '[::1]'],
    ['[::1]', '[::1]'],
    ['agent.example.com.', 'agent.example.com'],
    ['agent.example.com.:443', 'agent.example.com'],
    ['[::1', undefined],
    ['[::1]x', undefined],
    ['[nope]:80', undefined],
    ['user@agent.example.com', undefined],
    ['agent.example.com/path', undefined],
    ['agent example.com', undefined],
    ['agent.example.com:port', undefined],
    ['', undefined],
    [':3000', undefined],
  ] as Array<[string, string | undefined]>)('%j → %j', (value, expected) => {
    expect(parseHostHeader(value)).toBe(expected);
  });
});

describe('hostForm', () => {
  it.each([
    ['::1', '[::1]'],
    ['[::1]', '[::1]'],
    ['Agent.Example.com', 'agent.example.com'],
    ['0.0.0.0', '0.0.0.0'],
  ])('%s → %s', (name, expected) => {
    expect(hostForm(name)).toBe(expected);
  });
});

describe('createHostPolicy', () => {
  let tunnelUrl: string | undefined;
  const policy = createHostPolicy({
    boundAddresses: ['192.0.2.10', 'fd00::5'],
    allowedHosts: ['chat.example.org'],
    publicUrls: () => ['https://agent.example.com', tunnelUrl],
  });

  it.each([
    ['localhost', true],
    ['localhost:3000', true],
    ['127.0.0.1', true],
    ['127.0.0.1:3000', true],
    ['127.8.9.10:3000', true],
    ['[::1]:3000', true],
    ['192.0.2.10:3000', true],
    ['[fd00::5]:3000', true],
    ['chat.example.org', true],
    ['CHAT.example.org:8443', true],
    ['agent.example.com', true],
    ['agent.example.com:443', true],
    ['attacker.example', false],
    ['agent.example.com.attacker.example', false],
    ['localhost.attacker.example', false],
    ['192.0.2.11', false],
    ['0.0.0.0', false],
    ['random.trycloudflare.com', false],
    ['', false],
  ])('Host %j allowed → %s, asked once or again', (host, expected) => {
    expect(policy(host)).toBe(expected);
    expect(policy(host)).toBe(expected);
  });

  it('stops allowing a tunnel name once the tunnel has another URL, however often it was asked', () => {
    tunnelUrl = 'https://old.trycloudflare.com';
    for (let index = 0; index < 3; index += 1) expect(policy('old.trycloudflare.com')).toBe(true);
    tunnelUrl = 'https://new.trycloudflare.com';
    expect(policy('old.trycloudflare.com')).toBe(false);
    expect(policy('new.trycloudflare.com')).toBe(true);
    tunnelUrl = undefined;
  });

  it('answers right past the number of values it remembers', () => {
    const fresh = createHostPolicy({
      boundAddresses: [],
      allowedHosts: ['chat.example.org'],
      publicUrls: () => [],
    });
    for (let port = 1; port <= 500; port += 1) {
      expect(fresh(`127.0.0.1:${port}`)).toBe(true);
      expect(fresh(`attacker.example:${port}`)).toBe(false);
    }
    expect(fresh('chat.example.org:8443')).toBe(true);
    expect(fresh('chat.example.org.attacker.example')).toBe(false);
  });

  it('refuses a request without Host', () => {
    expect(policy(undefined)).toBe(false);
  });

  it('follows the tunnel URL once it is known', () => {
    tunnelUrl = undefined;
    expect(policy('random.trycloudflare.com')).toBe(false);
    tunnelUrl = 'https://random.trycloudflare.com';
    expect(policy('random.trycloudflare.com')).toBe(true);
    tunnelUrl = undefined;
  });
});
