import type { Config } from '../config/schema.js';
import { isLoopbackHost } from '../http/loopback.js';
import type { Finding } from './types.js';

/*
 * Who can reach the gateway from outside this machine. A non-loopback bind is reachable directly;
 * a tunnel or a public URL on another host means a proxy carries outside traffic to it; and
 * allow_public_bind states the intent to expose it (a `--host` flag at start then suffices).
 */

/** True when the URL's host is a loopback literal or `localhost`. */
export function isLoopbackUrl(url: string): boolean {
  return isLoopbackHost(new URL(url).hostname);
}

/** Why the gateway counts as exposed, one phrase per reason; empty when it is loopback only. */
export function exposureReasons(config: Config): string[] {
  const { gateway, tunnel } = config;
  const reasons: string[] = [];
  if (!isLoopbackHost(gateway.host))
    reasons.push(`gateway.host = "${gateway.host}" is not loopback`);
  if (tunnel.provider !== 'none') reasons.push(`tunnel.provider = "${tunnel.provider}"`);
  if (gateway.allow_public_bind) reasons.push('gateway.allow_public_bind = true');
  if (gateway.public_url !== undefined && !isLoopbackUrl(gateway.public_url)) {
    reasons.push(`gateway.public_url is ${new URL(gateway.public_url).host}`);
  }
  return reasons;
}

/** Public exposure combined with settings that are only safe on loopback. */
export function checkPublicExposure(config: Config): Finding[] {
  const reasons = exposureReasons(config);
  if (reasons.length === 0) return [];
  const why = `the gateway is reachable from outside this machine (${reasons.join('; ')})`;
  const findings: Finding[] = [];
  if (!config.gateway.require_pairing) {
    findings.push({
      id: 'public-without-pairing',
      severity: 'critical',
      key: 'gateway.require_pairing',
      message: `${why} and gateway.require_pairing = false: anyone who finds it can call /webhook and spend your agent's budget`,
      fix: 'set gateway.require_pairing = true (the default) and pair clients with `gatehouse pair`, or keep the gateway on loopback',
    });
  }
  if (config.gateway.webhook_rate_limit_per_minute === 0) {
    findings.push({
      id: 'public-without-rate-limit',
      severity: 'warning',
      key: 'gateway.webhook_rate_limit_per_minute',
      message: `${why} and gateway.webhook_rate_limit_per_minute = 0: one client can send requests without limit`,
      fix: 'set gateway.webhook_rate_limit_per_minute to what one client may need, e.g. 60',
    });
  }
  return findings;
}

/** A public bind: without a tunnel (allowed by opt-in), or with a tunnel that does not need it. */
export function checkPublicBind(config: Config): Finding[] {
  const { host, allow_public_bind: allowPublicBind } = config.gateway;
  if (isLoopbackHost(host)) return [];
  if (config.tunnel.provider !== 'none') {
    return [
      {
        id: 'tunnel-with-public-bind',
        severity: 'warning',
        key: 'gateway.host',
        message: `tunnel.provider = "${config.tunnel.provider}" reaches the gateway over loopback, yet gateway.host = "${host}" also exposes it directly, bypassing the tunnel`,
        fix: 'set gateway.host = "127.0.0.1"; the tunnel connects to the loopback address',
      },
    ];
  }
  if (!allowPublicBind) return [];
  return [
    {
      id: 'public-bind-without-tunnel',
      severity: 'warning',
      key: 'gateway.allow_public_bind',
      message: `gateway.host = "${host}" binds a public address without a tunnel (gateway.allow_public_bind = true): traffic reaches the gateway unencrypted unless a proxy on that network terminates TLS`,
      fix: 'bind 127.0.0.1 and put a TLS reverse proxy (docs/deploy/) or a [tunnel] in front, then set gateway.allow_public_bind = false',
    },
  ];
}
