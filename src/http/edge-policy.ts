import { networkInterfaces } from 'node:os';
import type { GatewayConfig } from '../config/schema.js';
import type { AddressMatcher } from './cidr.js';
import { createTrustedProxyMatcher } from './client-address.js';
import { createHostPolicy } from './host-policy.js';
import type { HostPolicy } from './host-policy.js';

/** The public-edge decisions every route and the WebSocket upgrade share. */
export interface EdgePolicy {
  /** `gateway.trusted_proxies` plus loopback when `trust_forwarded_headers` is on. */
  isTrustedProxy: AddressMatcher;
  /** The DNS-rebinding check on the Host header. */
  isHostAllowed: HostPolicy;
  /** Origins of `gateway.public_url` and of the tunnel URL (once known): browser origins allowed. */
  publicOrigins: () => string[];
  /**
   * Re-reads `allowed_hosts`, `trusted_proxies` and `trust_forwarded_headers` from the gateway
   * section (a reload wrote the new values into it). `public_url` needs no refresh: it is read on
   * every check.
   */
  refresh(): void;
}

/** Inputs of createEdgePolicy. */
export interface EdgePolicyOptions {
  gateway: Pick<
    GatewayConfig,
    'trusted_proxies' | 'trust_forwarded_headers' | 'public_url' | 'allowed_hosts'
  >;
  /** The address passed to listen() (brackets removed). */
  boundAddress: string;
  /** The running tunnel's public URL, once it reported one. */
  tunnelUrl?: () => string | undefined;
}

const WILDCARDS = new Set(['0.0.0.0', '::']);

/** Builds the edge policy from the gateway config, the bind address and the tunnel. */
export function createEdgePolicy(options: EdgePolicyOptions): EdgePolicy {
  const { gateway } = options;
  const tunnelUrl = options.tunnelUrl ?? (() => undefined);
  const publicUrls = (): Array<string | undefined> => [gateway.public_url, tunnelUrl()];
  const boundAddresses = boundAddressesOf(options.boundAddress);
  const buildHostPolicy = (): HostPolicy =>
    createHostPolicy({ boundAddresses, allowedHosts: gateway.allowed_hosts, publicUrls });
  const buildTrustedProxies = (): AddressMatcher =>
    createTrustedProxyMatcher({
      trustedProxies: gateway.trusted_proxies,
      trustForwardedHeaders: gateway.trust_forwarded_headers,
    });
  // Swapped whole by refresh(); every holder calls through isHostAllowed and isTrustedProxy below.
  let hostPolicy = buildHostPolicy();
  let trustedProxies = buildTrustedProxies();
  return {
    isTrustedProxy: (address) => trustedProxies(address),
    isHostAllowed: (host) => hostPolicy(host),
    publicOrigins: () => publicUrls().flatMap((url) => (url === undefined ? [] : [originOf(url)])),
    refresh() {
      // Both are built before either is swapped: a throw leaves the running pair in place.
      const nextHostPolicy = buildHostPolicy();
      const nextTrustedProxies = buildTrustedProxies();
      hostPolicy = nextHostPolicy;
      trustedProxies = nextTrustedProxies;
    },
  };
}

/** A wildcard bind answers on every interface, so each interface address is "the bound address". */
function boundAddressesOf(address: string): string[] {
  if (!WILDCARDS.has(address)) return [address];
  return Object.values(networkInterfaces()).flatMap((list) =>
    (list ?? []).map((entry) => entry.address.replace(/%.*$/, '')),
  );
}

function originOf(url: string): string {
  return new URL(url).origin;
}
