import type { Config } from '../config/schema.js';
import { createAddressMatcher, parseCidr } from '../http/cidr.js';
import { isLoopbackHost } from '../http/loopback.js';
import type { Finding } from './types.js';

/*
 * Forwarded headers are believed only from trusted proxies. Trusting them where no proxy stands
 * lets any peer that is trusted (every local process, on a loopback bind) choose its client
 * address and so dodge per-client rate limits and pairing lockouts. Not trusting them behind a
 * proxy on this machine makes every client the proxy's 127.0.0.1: one shared rate limit, and
 * three wrong pairing codes from anyone lock everyone out.
 */

const LOOPBACK_PEERS = ['127.0.0.1', '::1'];

/** True when forwarded headers from a loopback peer are believed. */
function trustsLoopback(config: Config): boolean {
  if (config.gateway.trust_forwarded_headers) return true;
  const isTrusted = createAddressMatcher(config.gateway.trusted_proxies);
  return LOOPBACK_PEERS.some((peer) => isTrusted(peer));
}

function trustsAnyProxy(config: Config): boolean {
  return config.gateway.trust_forwarded_headers || config.gateway.trusted_proxies.length > 0;
}

/** Which key switched the trust on, for the finding's `key`. */
function trustKey(config: Config): string {
  return config.gateway.trust_forwarded_headers
    ? 'gateway.trust_forwarded_headers'
    : 'gateway.trusted_proxies';
}

/** Forwarded-header trust set on a gateway nobody proxies to, or missing where a proxy is evident. */
export function checkForwardedHeaders(config: Config): Finding[] {
  const { gateway, tunnel } = config;
  const loopbackBind = isLoopbackHost(gateway.host);
  const hasTunnel = tunnel.provider !== 'none';
  const hasPublicUrl = gateway.public_url !== undefined;

  if (loopbackBind && !hasTunnel && !hasPublicUrl) {
    if (!trustsAnyProxy(config)) return [];
    const effective = trustsLoopback(config);
    return [
      {
        id: 'forwarded-headers-without-proxy',
        severity: effective ? 'warning' : 'info',
        key: trustKey(config),
        message: effective
          ? 'forwarded headers are believed from loopback peers, but no tunnel or gateway.public_url says a proxy stands in front: any local process can choose its client address and dodge rate limits and pairing lockouts'
          : 'gateway.trusted_proxies lists no loopback address, and on a loopback bind every peer is loopback: the setting has no effect',
        fix: 'remove gateway.trust_forwarded_headers and gateway.trusted_proxies, or set gateway.public_url to the address your reverse proxy serves',
      },
    ];
  }
  if (trustsAnyProxy(config)) return [];
  if (hasTunnel || (hasPublicUrl && loopbackBind)) {
    const proxy = hasTunnel
      ? `the ${tunnel.provider} tunnel`
      : 'the reverse proxy of gateway.public_url';
    return [
      {
        id: 'proxy-without-trusted-proxies',
        severity: 'warning',
        key: 'gateway.trusted_proxies',
        message: `${proxy} connects from this machine, but no proxy is trusted: every client appears as the proxy's loopback address, so all share one rate limit and three wrong pairing codes from anyone lock everyone out`,
        fix: 'set gateway.trusted_proxies = ["127.0.0.1/32", "::1/128"] (the right-most untrusted X-Forwarded-For hop becomes the client address)',
      },
    ];
  }
  if (hasPublicUrl) {
    return [
      {
        id: 'public-url-without-trusted-proxies',
        severity: 'info',
        key: 'gateway.trusted_proxies',
        message:
          'gateway.public_url is set on a public bind and no proxy is trusted: if a reverse proxy on another machine forwards to this gateway, all its clients share its address',
        fix: 'list the address of that proxy in gateway.trusted_proxies, e.g. ["10.0.0.5/32"]',
      },
    ];
  }
  return [];
}

/** A trusted network that covers every address lets any client forge its address. */
export function checkTrustedProxyWidth(config: Config): Finding[] {
  return config.gateway.trusted_proxies
    .filter((text) => parseCidr(text)?.prefix === 0)
    .map((text) => ({
      id: 'trusted-proxies-everyone',
      severity: 'warning' as const,
      key: 'gateway.trusted_proxies',
      message: `gateway.trusted_proxies contains "${text}", which trusts every peer: any client can set X-Forwarded-For and choose its own client address`,
      fix: 'list only the addresses of your proxies, e.g. ["127.0.0.1/32", "::1/128"] or the proxy subnet',
    }));
}
