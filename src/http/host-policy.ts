import { isIP } from 'node:net';
import { isLoopbackHost } from './loopback.js';

/*
 * DNS rebinding: a page on attacker.example re-resolves its own name to 127.0.0.1 and then talks
 * to a loopback gateway as a "same-origin" page. The browser still sends `Host: attacker.example`,
 * so answering only the names the gateway is known by closes the hole for every route, /health
 * and the web chat included.
 */

/** Names the gateway answers to, besides loopback names. */
export interface HostPolicyOptions {
  /** The addresses the gateway is bound to (a wildcard bind lists the interface addresses). */
  boundAddresses: readonly string[];
  /** `gateway.allowed_hosts`. */
  allowedHosts: readonly string[];
  /** Public URLs known now (`gateway.public_url`, the tunnel's URL once it has one). */
  publicUrls: () => ReadonlyArray<string | undefined>;
}

/** Whether a request's Host header names this gateway. */
export type HostPolicy = (host: string | undefined) => boolean;

/**
 * The host part of a Host header, lower case, without port or trailing dot; IPv6 literals keep
 * their brackets. Undefined when the value is not a plain `host[:port]` (userinfo, paths, spaces).
 */
export function parseHostHeader(value: string): string | undefined {
  const host = value.trim().toLowerCase();
  if (host.startsWith('[')) {
    const close = host.indexOf(']');
    if (close === -1) return undefined;
    const rest = host.slice(close + 1);
    if (rest !== '' && !/^:\d{1,5}$/.test(rest)) return undefined;
    return isIP(host.slice(1, close)) === 6 ? host.slice(0, close + 1) : undefined;
  }
  const match = /^([a-z0-9_.-]+?)\.?(?::(\d{1,5}))?$/.exec(host);
  if (match?.[1] === undefined || match[1] === '') return undefined;
  return match[1];
}

/** The Host-header form of an address or name: IPv6 in brackets, lower case. */
export function hostForm(name: string): string {
  const lower = name.toLowerCase();
  if (lower.startsWith('[')) return lower;
  return isIP(lower) === 6 ? `[${lower}]` : lower.replace(/\.$/, '');
}

/**
 * How many Host header values a policy remembers as naming a loopback or configured name. Clients
 * send a handful (`localhost:3000`, the public name); past the bound values are checked anew.
 */
const REMEMBERED_HOSTS = 64;

/**
 * Builds the Host decision from the configured names; public URLs are read on every call. The
 * check runs on every request, so Host values found to name a loopback or configured name (fixed
 * for the policy's life: a reload builds a new policy) are remembered; values allowed only by a
 * public URL, which can change, and refused values are never remembered.
 */
export function createHostPolicy(options: HostPolicyOptions): HostPolicy {
  const fixed = new Set([...options.boundAddresses, ...options.allowedHosts].map(hostForm));
  const remembered = new Set<string>();
  return function isHostAllowed(value: string | undefined): boolean {
    if (value === undefined) return false;
    if (remembered.has(value)) return true;
    const host = parseHostHeader(value);
    if (host === undefined) return false;
    // Loopback names (localhost, 127.0.0.0/8, [::1]) cannot be rebound to another host.
    if (isLoopbackHost(host) || fixed.has(host)) {
      if (remembered.size < REMEMBERED_HOSTS) remembered.add(value);
      return true;
    }
    return options.publicUrls().some((url) => url !== undefined && hostOfUrl(url) === host);
  };
}

function hostOfUrl(url: string): string | undefined {
  try {
    return hostForm(new URL(url).hostname);
  } catch {
    // A URL that does not parse names no host (config validation refuses such values).
    return undefined;
  }
}
