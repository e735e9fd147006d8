import type { TunnelConfig } from '../config/schema.js';
import { connectOrigin, publicOrigin } from './target-address.js';
import type { TunnelLaunch, TunnelTarget } from './types.js';

/*
 * cloudflared. A quick tunnel (no token) gets a random `https://<words>.trycloudflare.com` that
 * cloudflared prints on stderr inside a boxed banner. A named tunnel (`token`) has a fixed
 * hostname configured at Cloudflare; the token goes through cloudflared's `TUNNEL_TOKEN`
 * environment variable because a `--token` argument would be readable by every local user via `ps`.
 */

/**
 * A quick-tunnel URL alone on its line or framed by the banner's `|`. The look-ahead rejects
 * `https://api.trycloudflare.com/tunnel`, which cloudflared prints when the request for a tunnel fails.
 */
const QUICK_URL = /https:\/\/(?!api\.)[a-z0-9-]+\.trycloudflare\.com(?=[\s|]|$)/i;

/** cloudflared logs this once an edge connection of a named tunnel is up. */
const REGISTERED = /Registered tunnel connection/;

/** The quick-tunnel URL on one cloudflared output line, if any. */
export function findQuickTunnelUrl(line: string): string | undefined {
  const match = QUICK_URL.exec(line);
  return match === null ? undefined : publicOrigin(match[0]);
}

/** Launch of cloudflared: a quick tunnel to the gateway, or the named tunnel of `token`. */
export function cloudflareLaunch(
  config: TunnelConfig['cloudflare'],
  target: TunnelTarget,
): TunnelLaunch {
  const binary = config.binary ?? 'cloudflared';
  if (config.token === undefined) {
    return {
      provider: 'cloudflare',
      binary,
      args: ['tunnel', '--no-autoupdate', '--url', connectOrigin(target)],
      env: {},
      findUrl: findQuickTunnelUrl,
    };
  }
  // Start-up checks refuse a token without url; the fallback keeps this function total.
  const url = config.url === undefined ? undefined : publicOrigin(config.url);
  return {
    provider: 'cloudflare',
    binary,
    args: ['tunnel', '--no-autoupdate', 'run'],
    env: { TUNNEL_TOKEN: config.token },
    // The public hostname is fixed; it is live once cloudflared has registered a connection.
    findUrl: (line) => (REGISTERED.test(line) ? url : undefined),
  };
}
