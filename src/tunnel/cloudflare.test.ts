import { describe, expect, it } from 'vitest';
import { cloudflareLaunch, findQuickTunnelUrl } from './cloudflare.js';

const TARGET = { host: '127.0.0.1', port: 8080 };
const TS = '2026-12-02T19:00:00Z';

describe('cloudflareLaunch', () => {
  it('starts a quick tunnel to the bound address without a token', () => {
    const launch = cloudflareLaunch({}, TARGET);
    expect(launch.binary).toBe('cloudflared');
    expect(launch.args).toEqual(['tunnel', '--no-autoupdate', '--url', 'http://127.0.0.1:8080']);
    expect(launch.env).toEqual({});
  });

  it('points a quick tunnel at loopback when the gateway binds every interface', () => {
    expect(cloudflareLaunch({}, { host: '::', port: 9 }).args).toContain('http://[::1]:9');
  });

  it('runs a named tunnel with the token in TUNNEL_TOKEN, never on argv', () => {
    const token = 'eyJhIjoiYWNjb3VudCIsInQiOiJ0dW5uZWwiLCJzIjoic2VjcmV0In0=';
    const launch = cloudflareLaunch(
      { binary: '/opt/cf/cloudflared', token, url: 'https://agent.example.com/' },
      TARGET,
    );
    expect(launch.binary).toBe('/opt/cf/cloudflared');
    expect(launch.args).toEqual(['tunnel', '--no-autoupdate', 'run']);
    expect(launch.args.join(' ')).not.toContain(token);
    expect(launch.env).toEqual({ TUNNEL_TOKEN: token });
  });

  it('reports the named tunnel url once a connection is registered', () => {
    const launch = cloudflareLaunch({ token: 't', url: 'https://agent.example.com/' }, TARGET);
    expect(launch.findUrl(`${TS} INF Starting tunnel tunnelID=abc`)).toBeUndefined();
    expect(
      launch.findUrl(
        `${TS} INF Registered tunnel connection connIndex=0 connection=1f2e event=0 ip=198.41.200.13 location=ams01 protocol=quic`,
      ),
    ).toBe('https://agent.example.com');
  });
});

describe('findQuickTunnelUrl', () => {
  it.each([
    [
      `${TS} INF |  https://wise-river-bold-moon.trycloudflare.com                              |`,
      'https://wise-river-bold-moon.trycloudflare.com',
    ],
    ['https://a1-b2.trycloudflare.com', 'https://a1-b2.trycloudflare.com'],
    ['https://Mixed-Case.TryCloudflare.com  ', 'https://mixed-case.trycloudflare.com'],
  ])('finds the url in %j', (line, expected) => {
    expect(findQuickTunnelUrl(line)).toBe(expected);
  });

  it.each([
    `${TS} INF Thank you for trying Cloudflare Tunnel. … https://developers.cloudflare.com/cloudflare-one/connections/connect-apps`,
    `${TS} INF Requesting new quick Tunnel on trycloudflare.com...`,
    `${TS} ERR failed to request quick Tunnel: Post "https://api.trycloudflare.com/tunnel": dial tcp: lookup api.trycloudflare.com`,
    `${TS} INF |  Your quick Tunnel has been created! Visit it at (it may take some time to be reachable):  |`,
    'http://plain-http.trycloudflare.com',
    'https://evil.trycloudflare.com.attacker.example',
  ])('finds nothing in %j', (line) => {
    expect(findQuickTunnelUrl(line)).toBeUndefined();
  });
});
