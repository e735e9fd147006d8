export type { AppDeps, MetricsExporter, RouteRegistrar } from './types.js';
export { createApp, UNMATCHED_ROUTE } from './app.js';
export type { CreateAppOptions } from './app.js';
export { closeGracefully } from './graceful-close.js';
export type { CloseOutcome } from './graceful-close.js';
export { sendGatewayError, toGatewayError } from './error-handler.js';
export { decorateWorkSignal, requestTimeout } from './guards/timeout.js';
export type { RequestTimeoutOptions } from './guards/timeout.js';
export {
  API_CSP,
  SECURITY_HEADERS,
  setPageCsp,
  STATIC_PAGE_CSP,
} from '../http/security-headers.js';
export { METRICS_DISABLED_BODY } from './routes/metrics.js';
