import { LRUCache } from 'lru-cache';

/** What the reporter needs of a logger. */
export interface WarnLogger {
  warn(object: object, message: string): void;
}

/** Logs a refused browser Origin; repeats of one origin within a minute are not logged again. */
export type OriginRefusalReporter = (origin: string, where: string) => void;

const REPEAT_QUIET_MS = 60_000;
const REMEMBERED_ORIGINS = 1000;

/**
 * The operator-facing half of an Origin refusal: the warn line names the origin and the key that
 * allows it. Refused requests are cheap for anyone to send, so each origin is logged at most once
 * a minute and only a bounded number of origins is remembered.
 */
export function createOriginRefusalReporter(logger: WarnLogger): OriginRefusalReporter {
  const recent = new LRUCache<string, true>({ max: REMEMBERED_ORIGINS, ttl: REPEAT_QUIET_MS });
  return function reportOriginRefusal(origin, where) {
    const shown = origin.slice(0, 100);
    if (recent.has(shown)) return;
    recent.set(shown, true);
    logger.warn(
      { origin: shown, where },
      'browser origin refused: set gateway.public_url if it is the address users open the gateway at, or add it to channels_config.web.allowed_origins',
    );
  };
}
