import { BlockList, isIP } from 'node:net';

/** A parsed network: base address, prefix length and family. */
export interface Cidr {
  address: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
}

/** Whether an address belongs to a set of networks. */
export type AddressMatcher = (ip: string) => boolean;

/**
 * Parses `a.b.c.d/n` or `v6/n`; a bare address is a single host (/32 or /128). Undefined for
 * anything else: a prefix out of range, a host name, stray characters.
 */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  const address = slash === -1 ? text : text.slice(0, slash);
  const family = isIP(address);
  if (family === 0) return undefined;
  const max = family === 4 ? 32 : 128;
  let prefix = max;
  if (slash !== -1) {
    const digits = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(digits)) return undefined;
    prefix = Number(digits);
    if (prefix > max) return undefined;
  }
  return { address, prefix, family: family === 4 ? 'ipv4' : 'ipv6' };
}

/** Whether `text` is a valid CIDR (or bare address). */
export function isCidr(text: string): boolean {
  return parseCidr(text) !== undefined;
}

/**
 * A matcher over `cidrs` (all valid; the config schema checks them). Node's BlockList compares
 * IPv4-mapped IPv6 addresses with IPv4 networks, so `::ffff:10.1.2.3` is inside `10.0.0.0/8`.
 */
export function createAddressMatcher(cidrs: readonly string[]): AddressMatcher {
  if (cidrs.length === 0) return () => false;
  const list = new BlockList();
  for (const text of cidrs) {
    const cidr = parseCidr(text);
    if (cidr === undefined) throw new Error(`invalid CIDR ${JSON.stringify(text)}`);
    list.addSubnet(cidr.address, cidr.prefix, cidr.family);
  }
  return function isInside(ip: string): boolean {
    const family = isIP(ip);
    if (family === 0) return false;
    return list.check(ip, family === 4 ? 'ipv4' : 'ipv6');
  };
}
