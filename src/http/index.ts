export { normalizeIp, resolveClientAddress, UNKNOWN_CLIENT } from './client-address.js';
export type { ClientAddressInput } from './client-address.js';
export { parseJsonBytes } from './json-body.js';
export { checkOrigin, normalizeOrigin, selfOriginsFor } from './origin-policy.js';
export type { OriginCheck } from './origin-policy.js';
export { checkRequestOrigin, requireAllowedOrigin } from './request-origin.js';
export type { AllowedOriginOptions, RequestOriginCheck } from './request-origin.js';
export {
  API_CSP,
  SECURITY_HEADERS,
  securityHeaders,
  setPageCsp,
  STATIC_PAGE_CSP,
} from './security-headers.js';
export type { OnRequestGuard, RouteRegistrar } from './route-types.js';
