import { afterEach, describe, expect, it, vi } from 'vitest';
import { stubProxyEnv } from '../test-support/fake-forward-proxy.js';
import { proxyRouteFor } from './outbound-proxy.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('proxyRouteFor', () => {
  it.each<{ case: string; target: string; env: Record<string, string>; proxy?: string }>([
    { case: 'no proxy variable', target: 'https://api.openai.com/v1', env: {} },
    {
      case: 'HTTPS_PROXY for an https target',
      target: 'https://api.openai.com/v1',
      env: { HTTPS_PROXY: 'http://proxy.corp:3128' },
      proxy: 'http://proxy.corp:3128/',
    },
    {
      case: 'the lower-case name',
      target: 'https://api.openai.com/v1',
      env: { https_proxy: 'http://proxy.corp:3128' },
      proxy: 'http://proxy.corp:3128/',
    },
    {
      case: 'HTTP_PROXY only, for an https target',
      target: 'https://api.openai.com/v1',
      env: { HTTP_PROXY: 'http://proxy.corp:3128' },
    },
    {
      case: 'HTTP_PROXY for an http target',
      target: 'http://ollama.lan:11434/v1',
      env: { HTTP_PROXY: 'http://proxy.corp:3128' },
      proxy: 'http://proxy.corp:3128/',
    },
    {
      case: 'ALL_PROXY for either scheme',
      target: 'https://api.anthropic.com',
      env: { ALL_PROXY: 'http://proxy.corp:3128' },
      proxy: 'http://proxy.corp:3128/',
    },
    {
      case: 'NO_PROXY naming the host',
      target: 'https://api.openai.com/v1',
      env: { HTTPS_PROXY: 'http://proxy.corp:3128', NO_PROXY: 'localhost,api.openai.com' },
    },
    {
      case: 'NO_PROXY naming the domain with a leading dot',
      target: 'https://api.openai.com/v1',
      env: { HTTPS_PROXY: 'http://proxy.corp:3128', NO_PROXY: '.openai.com' },
    },
    {
      case: 'NO_PROXY naming the domain with a wildcard',
      target: 'https://api.openai.com/v1',
      env: { HTTPS_PROXY: 'http://proxy.corp:3128', NO_PROXY: '*.openai.com' },
    },
    {
      case: 'NO_PROXY naming the subdomains only, for the domain itself',
      target: 'https://openai.com/v1',
      env: { HTTPS_PROXY: 'http://proxy.corp:3128', NO_PROXY: '.openai.com' },
      proxy: 'http://proxy.corp:3128/',
    },
    {
      case: 'NO_PROXY naming an IPv6 address in brackets',
      target: 'https://[::1]:8443/v1',
      env: { HTTPS_PROXY: 'http://proxy.corp:3128', NO_PROXY: '[::1]' },
    },
    {
      case: 'NO_PROXY naming an IPv6 address without brackets (read as host and port)',
      target: 'https://[::1]:8443/v1',
      env: { HTTPS_PROXY: 'http://proxy.corp:3128', NO_PROXY: '::1' },
      proxy: 'http://proxy.corp:3128/',
    },
    {
      case: 'NO_PROXY giving an address range (not supported)',
      target: 'https://10.1.2.3/v1',
      env: { HTTPS_PROXY: 'http://proxy.corp:3128', NO_PROXY: '10.0.0.0/8' },
      proxy: 'http://proxy.corp:3128/',
    },
    {
      case: 'NO_PROXY naming another host',
      target: 'https://api.openai.com/v1',
      env: { HTTPS_PROXY: 'http://proxy.corp:3128', NO_PROXY: 'openai.com.evil.io,internal' },
      proxy: 'http://proxy.corp:3128/',
    },
    {
      case: 'NO_PROXY naming the host on another port',
      target: 'https://api.openai.com/v1',
      env: { HTTPS_PROXY: 'http://proxy.corp:3128', NO_PROXY: 'api.openai.com:8443' },
      proxy: 'http://proxy.corp:3128/',
    },
    {
      case: 'NO_PROXY = *',
      target: 'https://api.openai.com/v1',
      env: { HTTPS_PROXY: 'http://proxy.corp:3128', NO_PROXY: '*' },
    },
    {
      case: 'a proxy given without a scheme (an http proxy), for an https target',
      target: 'https://api.openai.com/v1',
      env: { HTTPS_PROXY: 'proxy.corp:3128' },
      proxy: 'http://proxy.corp:3128/',
    },
    {
      case: 'ALL_PROXY given without a scheme, with credentials',
      target: 'https://api.openai.com/v1',
      env: { all_proxy: 'alice:secret@proxy.corp:3128' },
      proxy: 'http://alice:secret@proxy.corp:3128/',
    },
    {
      case: 'an https proxy, given with its scheme',
      target: 'https://api.openai.com/v1',
      env: { HTTPS_PROXY: 'https://proxy.corp:3128' },
      proxy: 'https://proxy.corp:3128/',
    },
  ])('$case', ({ target, env, proxy }) => {
    stubProxyEnv(env);
    const route = proxyRouteFor(new URL(target));
    if (proxy === undefined) expect(route).toEqual({ kind: 'direct' });
    // By href: URL objects have no own properties, so matching them compares nothing.
    else expect(route.kind === 'proxy' ? route.proxy.href : route).toBe(proxy);
  });

  it('lists the proxy credentials, raw and decoded, as secrets', () => {
    stubProxyEnv({ HTTPS_PROXY: 'http://alice:p%40ss-word@proxy.corp:3128' });
    expect(proxyRouteFor(new URL('https://api.openai.com/v1'))).toMatchObject({
      kind: 'proxy',
      credentials: ['alice', 'alice', 'p%40ss-word', 'p@ss-word'],
    });
  });

  it.each([
    {
      case: 'a SOCKS proxy',
      value: 'socks5://proxy.corp:1080',
      reason: 'socks5 proxies are not supported; use an http:// or https:// proxy',
    },
    {
      case: 'a value that is not a URL',
      value: 'http://user:hunter2@[proxy',
      reason: 'the proxy set for https: URLs is not a URL',
    },
  ])('refuses $case without repeating the value', ({ value, reason }) => {
    stubProxyEnv({ HTTPS_PROXY: value });
    expect(proxyRouteFor(new URL('https://api.openai.com/v1'))).toEqual({
      kind: 'invalid',
      reason,
    });
  });
});
