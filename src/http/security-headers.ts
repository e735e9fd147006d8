import type { FastifyReply } from 'fastify';
import type { OnRequestGuard } from './route-types.js';

/** CSP for JSON API responses: nothing may load, nothing may frame it. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/**
 * CSP for a same-origin static page (the web chat at `/`). `connect-src 'self'` also covers
 * ws:/wss: to the same host in current browsers (CSP Level 3).
 */
export const STATIC_PAGE_CSP = [
  "default-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "style-src 'self'",
  "script-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** Headers every response carries, errors and 404s included. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy': API_CSP,
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
});

const HEADER_ENTRIES = Object.entries(SECURITY_HEADERS);

/** The same headers as one flat name/value list, for `writeHead` on node:http (the lanes). */
export const SECURITY_HEADER_LIST: readonly string[] = HEADER_ENTRIES.flat();

/**
 * Sets the security headers first thing in onRequest, so a route (or the error handler) that
 * replies later keeps them, and a page route can still replace the CSP with its own.
 */
export const securityHeaders: OnRequestGuard = function securityHeaders(_request, reply, done) {
  for (const [name, value] of HEADER_ENTRIES) reply.header(name, value);
  done();
};

/** Replaces the API CSP with a page policy (defaults to STATIC_PAGE_CSP) for an HTML route. */
export function setPageCsp(reply: FastifyReply, csp: string = STATIC_PAGE_CSP): FastifyReply {
  return reply.header('content-security-policy', csp);
}
