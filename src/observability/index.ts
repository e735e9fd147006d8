export type { Observer, ObserverEvent, ObserverEventType } from './types.js';
export { createLogger, REDACT_PATHS, serializeError } from './logger.js';
export type { LoggerFactoryOptions } from './logger.js';
export { createMetrics, PROMETHEUS_CONTENT_TYPE } from './metrics.js';
export type { GatewayMetrics, MetricsOptions } from './metrics.js';
export { createObserver, NOOP_OBSERVER } from './observer.js';
export type { ObserverOptions } from './observer.js';
export { describeError, REDACTED, redactSecrets } from './redact.js';
