import type { TunnelConfig } from '../config/schema.js';
import { connectHost, connectOrigin, publicOrigin } from './target-address.js';
import type { TunnelLaunch, TunnelTarget } from './types.js';

/*
 * `tailscale funnel` (public internet) or `tailscale serve` (tailnet only), run in the foreground
 * so the gateway owns its lifetime. It prints an "Available on the internet:" (or "within your
 * tailnet:") block whose URL line is `https://<machine>.<tailnet>.ts.net/`.
 */

/** A MagicDNS URL alone on its line, with an optional port and trailing slash. */
const TS_NET_URL = /^\s*(https:\/\/[a-z0-9-]+(?:\.[a-z0-9-]+)*\.ts\.net(?::\d+)?)\/?\s*$/i;

/** The ts.net URL on one tailscale output line, if any. */
export function findTailscaleUrl(line: string): string | undefined {
  const match = TS_NET_URL.exec(line);
  return match?.[1] === undefined ? undefined : publicOrigin(match[1]);
}

/**
 * tailscale proxies to localhost: a bare port means `http://127.0.0.1:PORT`. Any other bound
 * address (IPv6 loopback) is given as a full URL.
 */
export function tailscaleTargetArg(target: TunnelTarget): string {
  const host = connectHost(target.host);
  return host === '127.0.0.1' ? String(target.port) : connectOrigin(target);
}

/** Launch of `tailscale funnel|serve <target>`. */
export function tailscaleLaunch(
  config: TunnelConfig['tailscale'],
  target: TunnelTarget,
): TunnelLaunch {
  return {
    provider: 'tailscale',
    binary: config.binary ?? 'tailscale',
    args: [config.funnel ? 'funnel' : 'serve', tailscaleTargetArg(target)],
    env: {},
    findUrl: findTailscaleUrl,
  };
}
