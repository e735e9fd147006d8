import { GatewayError } from '../../errors.js';
import { createRateLimiter, RATE_LIMIT_WINDOW_MS } from '../../limits/rate-limiter.js';
import type { StateStore } from '../../state/types.js';
import type { NamedStage } from '../types.js';
import type { LimitKeyKind } from './limit-key.js';
import { limitKey, SYNC_CHANNELS } from './limit-key.js';

/** The one short reply an async sender gets per window when over the limit. */
export const RATE_LIMIT_NOTICE = 'You are sending messages too fast; please wait a minute.';

const NOTICE_NAMESPACE = 'rate_limit_notice';

export interface RateLimitStageOptions {
  store: StateStore;
  /** Distinguishes several configured rate_limit stages (`stageBucket`: `rate_limit.subject.all`). */
  bucket: string;
  perMinute: number;
  key: LimitKeyKind;
  channels?: readonly string[] | undefined;
  maxKeys: number;
  clock?: () => number;
}

/**
 * `rate_limit`: a sliding minute per key over the StateStore. Over the limit, inline channels get
 * 429 RATE_LIMITED with Retry-After and the IETF RateLimit-Policy / RateLimit headers (WS: an
 * error frame with retry_after); on async channels the message is dropped (already acknowledged
 * to the platform) and the sender gets at most one notice per window.
 */
export function rateLimitStage(options: RateLimitStageOptions): NamedStage {
  const { store, bucket, perMinute, key } = options;
  const clock = options.clock ?? Date.now;
  const channels = options.channels === undefined ? undefined : new Set(options.channels);
  const limiter = createRateLimiter({
    store,
    bucket: `stage:${bucket}`,
    perMinute,
    maxKeys: options.maxKeys,
    clock,
  });
  const windowSecs = RATE_LIMIT_WINDOW_MS / 1000;
  const policy = `"${bucket}";q=${perMinute};w=${windowSecs}`;
  return {
    name: 'rate_limit',
    run: async function limitRate(ctx, next) {
      const { message } = ctx.request;
      if (channels !== undefined && !channels.has(message.channel)) return next();
      const subject = limitKey(key, ctx.request);
      const decision = await limiter.hit(subject);
      if (decision.allowed) return next();
      (ctx.marks ??= {}).limited = 'RATE_LIMITED';
      const retryAfter = decision.retryAfterSecs;
      if (SYNC_CHANNELS.has(message.channel)) {
        throw new GatewayError('RATE_LIMITED', {
          extra: { retry_after: retryAfter },
          headers: {
            'ratelimit-policy': policy,
            ratelimit: `"${bucket}";r=0;t=${retryAfter}`,
          },
        });
      }
      const firstNotice = await store.setIfAbsent(
        NOTICE_NAMESPACE,
        `${bucket}:${subject}`,
        '1',
        RATE_LIMIT_WINDOW_MS,
      );
      ctx.result = firstNotice
        ? { response: RATE_LIMIT_NOTICE, model: ctx.agent.model, duplicate: false }
        : { response: '', model: ctx.agent.model, duplicate: false, noReply: true };
    },
  };
}
