import { describe, expect, it } from 'vitest';
import {
  readShippedFile,
  renderCaddyfile,
  renderNginxMain,
  renderNginxSite,
  replaceExactly,
} from './proxy-configs.js';

const PORTS = { listenPort: 18080, upstreamPort: 13000 };

describe('test variants of the shipped proxy configs', () => {
  it('turns the nginx TLS site into a plain loopback listener and keeps every other directive', () => {
    const shipped = readShippedFile('nginx.conf');
    const site = renderNginxSite(shipped, PORTS);
    expect(site).toContain('listen 127.0.0.1:18080;');
    expect(site).toContain('server 127.0.0.1:13000;');
    const directives = site
      .split('\n')
      .filter((line) => !line.trim().startsWith('#'))
      .join('\n');
    expect(directives).not.toMatch(/ssl|listen 80|listen 443|Strict-Transport-Security|:3000/);
    for (const directive of [
      '    proxy_set_header X-Forwarded-For   $proxy_add_x_forwarded_for;',
      '    proxy_buffering off;',
      '    location /channels/ {',
      '    location = /channels/web/ws {',
    ]) {
      expect(shipped).toContain(directive);
      expect(site).toContain(directive);
    }
  });

  it('keeps nginx off system paths', () => {
    const main = renderNginxMain('/tmp/x', '/tmp/x/site.conf', undefined);
    expect(main).toContain('daemon off;');
    expect(main).toContain('pid /tmp/x/nginx.pid;');
    expect(main).toContain('error_log /tmp/x/error.log warn;');
    expect(main).not.toMatch(/\/var\/|\/run\/|\/etc\/|^user/m);
    expect(renderNginxMain('/tmp/x', '/tmp/x/site.conf', 'nobody nogroup')).toMatch(
      /^user nobody nogroup;$/m,
    );
  });

  it('turns the Caddy site into plain HTTP on loopback without the admin endpoint', () => {
    const file = renderCaddyfile(readShippedFile('Caddyfile'), PORTS, '/tmp/caddy-data');
    expect(file).toMatch(
      /^\{\n\tadmin off\n\tauto_https off\n\tstorage file_system \/tmp\/caddy-data\n\}\n/,
    );
    expect(file).toContain('\nhttp://127.0.0.1:18080 {\n\tbind 127.0.0.1\n');
    expect(file).toContain('reverse_proxy 127.0.0.1:13000 {');
    expect(file).toContain('flush_interval -1');
    expect(file).not.toContain('agent.example.com {');
  });

  it('fails when a shipped file no longer has what the variant replaces', () => {
    const shipped = readShippedFile('nginx.conf');
    expect(() =>
      renderNginxSite(shipped.replace('server 127.0.0.1:3000;', 'server 10.0.0.5:3000;'), PORTS),
    ).toThrow(/expected 1 match\(es\) of server 127\.0\.0\.1:3000;/);
    expect(() =>
      renderCaddyfile(
        readShippedFile('Caddyfile').replace('agent.example.com {', 'example.org {'),
        PORTS,
        '/d',
      ),
    ).toThrow(/found 0/);
  });

  it('replaces exactly the expected number of matches', () => {
    expect(replaceExactly('a.b a.b', 'a.b', 'c', 2)).toBe('c c');
    expect(() => replaceExactly('a.b a.b', 'a.b', 'c')).toThrow(/expected 1 match\(es\).*found 2/);
    expect(() => replaceExactly('axb', 'a.b', 'c')).toThrow(/found 0/);
    expect(() => replaceExactly('ab', /a/, 'c')).toThrow(/must be global/);
  });
});
