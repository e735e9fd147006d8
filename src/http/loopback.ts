import { BlockList, isIP } from 'node:net';

/*
 * One answer to "is this on this machine?" for the bind policy (where the gateway may listen)
 * and the admin guard (who may call admin routes). Only literals count: resolving a name would
 * let DNS decide, so `localhost` is the one name accepted, and only by `isLoopbackHost`.
 */

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/**
 * True for an IP literal in 127.0.0.0/8 or ::1, in any IPv6 spelling, including IPv4-mapped
 * 127.x (what a dual-stack socket reports for an IPv4 loopback peer). Names, bracketed
 * literals and anything unparseable are not loopback.
 */
export function isLoopbackAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  // The common spellings need no BlockList lookup (it builds a SocketAddress per call, and this
  // runs for every request's Host): a valid IPv4 literal is loopback exactly when it starts 127.
  if (family === 4) return address.startsWith('127.');
  if (address === '::1') return true;
  // BlockList matches IPv4-mapped IPv6 (::ffff:127.0.0.1, ::ffff:7f00:1) against the IPv4 subnet.
  return LOOPBACK.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** True for a configured host: `isLoopbackAddress`, also bracketed (`[::1]`), or `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const address = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return address.toLowerCase() === 'localhost' || isLoopbackAddress(address);
}
