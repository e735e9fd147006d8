import type { TunnelTarget } from './types.js';

/*
 * A tunnel client connects to the gateway; it cannot connect to a wildcard address. A gateway
 * bound to every interface is reached through the loopback address of the same family.
 */

/** The address a local client uses to reach `target.host` (wildcards become loopback). */
export function connectHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '::1';
  return host;
}

/** `HOST:PORT` for a local client, IPv6 in brackets: `127.0.0.1:8080`, `[::1]:8080`. */
export function connectHostPort(target: TunnelTarget): string {
  const host = connectHost(target.host);
  return `${host.includes(':') ? `[${host}]` : host}:${target.port}`;
}

/** `http://HOST:PORT` for a local client. */
export function connectOrigin(target: TunnelTarget): string {
  return `http://${connectHostPort(target)}`;
}

/**
 * The origin of a URL a tunnel printed, when it is an absolute http(s) URL; otherwise undefined.
 * A trailing slash or path is dropped: the gateway needs the origin, not a page.
 */
export function publicOrigin(candidate: string): string | undefined {
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    // Not a URL at all (a custom url_pattern matched something else): not an announcement.
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  return url.origin;
}
