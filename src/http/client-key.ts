import { isIP } from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';

/** Input of deriveClientKey. */
export interface ClientKeyInput {
  /** The TCP peer address (`socket.remoteAddress`); undefined once the socket is gone. */
  peerIp: string | undefined;
  headers: IncomingHttpHeaders;
  /** `gateway.trust_forwarded_headers`: only behind a proxy that sets these headers itself. */
  trustForwarded: boolean;
}

/** The key used when the peer address is unavailable (socket already destroyed). */
export const UNKNOWN_CLIENT = 'unknown';

const MAPPED_V4_PREFIX = '::ffff:';

/** A canonical IP string, or undefined when `value` is not a bare IPv4/IPv6 address. */
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

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

/**
 * The client key for rate limits and lockouts. Forwarded headers are attacker-controlled unless a
 * trusted proxy overwrites them, so they are read only when `trustForwarded` is set; malformed
 * entries are skipped rather than used as keys (a garbage key would dodge per-client limits).
 */
export function deriveClientKey(input: ClientKeyInput): string {
  if (input.trustForwarded) {
    const forwardedFor = firstHeader(input.headers['x-forwarded-for']);
    if (forwardedFor !== undefined) {
      for (const entry of forwardedFor.split(',')) {
        const ip = normalizeIp(entry);
        if (ip !== undefined) return ip;
      }
    }
    const realIp = firstHeader(input.headers['x-real-ip']);
    if (realIp !== undefined) {
      const ip = normalizeIp(realIp);
      if (ip !== undefined) return ip;
    }
  }
  if (input.peerIp === undefined) return UNKNOWN_CLIENT;
  return normalizeIp(input.peerIp) ?? UNKNOWN_CLIENT;
}
