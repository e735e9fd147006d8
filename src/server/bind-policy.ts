import { isIP } from 'node:net';
import { isLoopbackAddress } from '../http/loopback.js';

/*
 * Network isolation, layer 1: the gateway listens on loopback unless something in front of it
 * (a tunnel) owns the public exposure, or the operator opts in explicitly. A host that does not
 * parse is refused rather than "fixed", because a silent fallback could bind somewhere the
 * operator did not intend.
 */

export interface BindPolicyInput {
  /** `gateway.host` as configured (IPv6 may be bracketed). */
  host: string;
  /** `tunnel.provider`; anything but "none" counts as an active tunnel. */
  tunnelProvider: string;
  allowPublicBind: boolean;
}

export type BindPolicyResult =
  { ok: true; public: boolean; address: string; warning?: string } | { ok: false; message: string };

/** The address to pass to listen(): brackets removed; `localhost` kept as is. */
export function normalizeHost(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** Decides whether the gateway may bind to `host`. */
export function checkBindPolicy(input: BindPolicyInput): BindPolicyResult {
  const address = normalizeHost(input.host);
  if (address.toLowerCase() === 'localhost') return { ok: true, public: false, address };
  if (isIP(address) === 0) {
    const shown = JSON.stringify(input.host);
    // Resolving a name at bind time would let DNS decide the exposure; only literals are accepted.
    const hostname = /^[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}$/i.test(address);
    return {
      ok: false,
      message: hostname
        ? `gateway.host = ${shown} is a hostname; gatehouse binds to IP addresses only (use 127.0.0.1, ::1, localhost or the IP of one interface)`
        : `gateway.host = ${shown} does not parse as an IPv4 or IPv6 address or "localhost"`,
    };
  }
  if (isLoopbackAddress(address)) return { ok: true, public: false, address };
  if (input.tunnelProvider !== 'none') return { ok: true, public: true, address };
  if (input.allowPublicBind) {
    return {
      ok: true,
      public: true,
      address,
      warning: `binding to public address ${input.host} without a tunnel because gateway.allow_public_bind = true (NOT recommended)`,
    };
  }
  return {
    ok: false,
    message: `refusing to bind to public address ${input.host}: set [tunnel] provider (cloudflare, tailscale, ngrok, custom) or gateway.allow_public_bind = true, or use a loopback host such as 127.0.0.1`,
  };
}
