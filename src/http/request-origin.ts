import type { FastifyRequest } from 'fastify';
import { checkOrigin } from './origin-policy.js';
import { originForbidden } from './edge-errors.js';
import type { OriginRefusalReporter } from './origin-refusals.js';

/** Inputs of the Origin decision for a state-changing HTTP request. */
export interface RequestOriginCheck {
  /** The request's Origin header; undefined when absent. */
  origin: string | undefined;
  /** `[channels_config.web] allowed_origins`. */
  allowedOrigins: readonly string[];
  /** The gateway's own origins for the bound address and port. */
  selfOrigins: readonly string[];
}

/**
 * Whether a state-changing request may proceed given its Origin. Browsers send Origin on every
 * cross-origin POST, including the "simple" ones (text/plain, form bodies) that skip a CORS
 * preflight — so without this check any web page could drive `/webhook` when pairing is off, and
 * a DNS-rebinding page could burn the loopback client's pairing lockout. No Origin means a
 * non-browser client (curl, SDKs, servers), which authenticates like any API client. One policy
 * with the WebSocket upgrade: exact origins only, `null` and wildcards never match.
 */
export function checkRequestOrigin(check: RequestOriginCheck): boolean {
  return checkOrigin(check);
}

/** Options for requireAllowedOrigin. */
export interface AllowedOriginOptions {
  allowedOrigins: readonly string[];
  /** Resolved per request: the bound port is only known after listen. */
  selfOrigins: () => readonly string[];
  /** Tells the operator which origin was refused (warn, deduplicated). */
  reportRefusal?: OriginRefusalReporter;
}

/**
 * A preHandler refusing a browser request from a foreign origin with 403 ORIGIN_FORBIDDEN. It runs
 * after the body-limit guard and before rate limits, lockouts and authentication, so a refused
 * cross-site request costs the real client nothing.
 */
export function requireAllowedOrigin(options: AllowedOriginOptions) {
  return async function requireAllowedOriginHook(request: FastifyRequest): Promise<void> {
    const { origin } = request.headers;
    // No Origin: not a browser. The gateway's own origins (URLs parsed per call) are not needed.
    if (origin === undefined) return;
    const allowed = checkRequestOrigin({
      origin,
      allowedOrigins: options.allowedOrigins,
      selfOrigins: options.selfOrigins(),
    });
    if (allowed) return;
    options.reportRefusal?.(origin, request.routeOptions.url ?? request.url);
    throw originForbidden(origin);
  };
}
