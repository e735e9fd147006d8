import { isIP } from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';
import { createAddressMatcher } from './cidr.js';
import type { AddressMatcher } from './cidr.js';

/*
 * Who is the client? Behind a reverse proxy the TCP peer is the proxy, and the client is written in
 * a header. Every hop appends to X-Forwarded-For, so only the entries added by proxies we trust
 * are facts; everything to their left was written by the client and is attacker-controlled. The
 * client is therefore the right-most address that is not a trusted proxy — never the left-most.
 */

/** The key used when the peer address is unavailable (socket already destroyed). */
export const UNKNOWN_CLIENT = 'unknown';

/** Networks trusted when `gateway.trust_forwarded_headers = true`: a proxy on this machine. */
export const LOOPBACK_PROXIES: readonly string[] = ['127.0.0.0/8', '::1/128'];

const MAPPED_V4_PREFIX = '::ffff:';

/** A canonical IP string (IPv4-mapped IPv6 as IPv4, IPv6 lower case), or undefined. */
export function normalizeIp(value: string): string | undefined {
  const candidate = value.trim();
  const family = isIP(candidate);
  if (family === 4) return candidate;
  if (family !== 6) return undefined;
  const lower = candidate.toLowerCase();
  // A dual-stack listener reports IPv4 peers as ::ffff:a.b.c.d; one client must map to one key.
  if (lower.startsWith(MAPPED_V4_PREFIX)) {
    const v4 = lower.slice(MAPPED_V4_PREFIX.length);
    if (isIP(v4) === 4) return v4;
  }
  return lower;
}

/** The trusted-proxy test for `gateway.trusted_proxies` plus the loopback shorthand. */
export function createTrustedProxyMatcher(options: {
  trustedProxies: readonly string[];
  trustForwardedHeaders: boolean;
}): AddressMatcher {
  const cidrs = options.trustForwardedHeaders
    ? [...LOOPBACK_PROXIES, ...options.trustedProxies]
    : options.trustedProxies;
  return createAddressMatcher(cidrs);
}

/** Input of resolveClientAddress. */
export interface ClientAddressInput {
  /** The TCP peer address (`socket.remoteAddress`); undefined once the socket is gone. */
  peerIp: string | undefined;
  headers: IncomingHttpHeaders;
  /** Whether a (normalized) address is a trusted proxy. */
  isTrustedProxy: AddressMatcher;
}

/**
 * The client address for limits, lockouts, anonymous principals and logs. Forwarded headers are
 * read only when the peer is a trusted proxy; then X-Forwarded-For, else RFC 7239 `Forwarded`,
 * else X-Real-IP. Malformed entries are skipped, never trusted.
 */
export function resolveClientAddress(input: ClientAddressInput): string {
  const peer = input.peerIp === undefined ? undefined : normalizeIp(input.peerIp);
  if (peer === undefined) return UNKNOWN_CLIENT;
  if (!input.isTrustedProxy(peer)) return peer;
  const forwardedFor = joinHeader(input.headers['x-forwarded-for']);
  if (forwardedFor !== undefined) {
    return rightMostUntrusted(forwardedFor.split(',').map(normalizeIp), input) ?? peer;
  }
  const forwarded = joinHeader(input.headers.forwarded);
  if (forwarded !== undefined) {
    return rightMostUntrusted(parseForwardedFor(forwarded), input) ?? peer;
  }
  const realIp = joinHeader(input.headers['x-real-ip']);
  return (realIp === undefined ? undefined : normalizeIp(realIp)) ?? peer;
}

/**
 * Walks the chain from the right: the first address that is not a trusted proxy is the client.
 * When every hop is trusted, the left-most valid one is the furthest known address.
 */
function rightMostUntrusted(
  chain: ReadonlyArray<string | undefined>,
  input: ClientAddressInput,
): string | undefined {
  let furthest: string | undefined;
  for (let index = chain.length - 1; index >= 0; index -= 1) {
    const ip = chain[index];
    if (ip === undefined) continue;
    if (!input.isTrustedProxy(ip)) return ip;
    furthest = ip;
  }
  return furthest;
}

/**
 * The `for=` values of an RFC 7239 `Forwarded` header, in order, normalized; undefined for
 * entries that are not an IP (`unknown`, obfuscated `_hidden`, garbage). Accepts the token form
 * (`for=192.0.2.1`) and the quoted forms with brackets and ports (`for="[2001:db8::1]:4711"`).
 */
export function parseForwardedFor(header: string): Array<string | undefined> {
  const result: Array<string | undefined> = [];
  for (const element of splitOutsideQuotes(header, ',')) {
    for (const pair of splitOutsideQuotes(element, ';')) {
      const equals = pair.indexOf('=');
      if (equals === -1 || pair.slice(0, equals).trim().toLowerCase() !== 'for') continue;
      result.push(nodeAddress(unquote(pair.slice(equals + 1).trim())));
    }
  }
  return result;
}

/** The IP of a `Forwarded` node (`ip`, `ip:port`, `[v6]`, `[v6]:port`), or undefined. */
function nodeAddress(node: string): string | undefined {
  if (node.startsWith('[')) {
    const close = node.indexOf(']');
    if (close === -1) return undefined;
    const rest = node.slice(close + 1);
    if (rest !== '' && !/^:\d{1,5}$/.test(rest)) return undefined;
    const inner = node.slice(1, close);
    return isIP(inner) === 6 ? normalizeIp(inner) : undefined;
  }
  const portAt = node.lastIndexOf(':');
  // An IPv4 address with a port; a bare IPv6 address must be bracketed in Forwarded (RFC 7239 §6).
  if (portAt !== -1 && node.indexOf(':') === portAt) {
    if (!/^\d{1,5}$/.test(node.slice(portAt + 1))) return undefined;
    const host = node.slice(0, portAt);
    return isIP(host) === 4 ? host : undefined;
  }
  return isIP(node) === 4 ? node : undefined;
}

function unquote(value: string): string {
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    return value.slice(1, -1).replace(/\\(.)/g, '$1');
  }
  return value;
}

function splitOutsideQuotes(value: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let index = 0; index < value.length; index += 1) {
    const char = value[index];
    if (char === '\\' && quoted) {
      current += value.slice(index, index + 2);
      index += 1;
      continue;
    }
    if (char === '"') quoted = !quoted;
    if (char === separator && !quoted) {
      parts.push(current.trim());
      current = '';
      continue;
    }
    current += char;
  }
  parts.push(current.trim());
  return parts;
}

/** Repeated headers are one list, joined in order (RFC 9110 §5.3). */
function joinHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}
