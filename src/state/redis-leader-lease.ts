import { randomBytes } from 'node:crypto';
import { GatewayError } from '../errors.js';
import { LuaScript, type RedisClient } from './redis-client.js';

/**
 * Takes or renews the lease. KEYS: lease. ARGV: holder, leaseMs. Returns {1, leaseMs} when the
 * caller holds it now, else {0, ms the other holder's lease still runs}.
 */
const ACQUIRE = new LuaScript(`
local holder = redis.call('GET', KEYS[1])
if holder == false or holder == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return {1, tonumber(ARGV[2])}
end
return {0, redis.call('PTTL', KEYS[1])}
`);

/** KEYS: lease. ARGV: holder. Deletes the lease only when the caller holds it. */
const RELEASE = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

/** The answer of one acquisition attempt. */
export interface LeaseAttempt {
  /** Whether this holder leads until the lease runs out (or is renewed). */
  leading: boolean;
  /** How long the current holder's lease still runs (ms). */
  remainingMs: number;
}

/** One named lease in Redis: at most one holder at a time, lost when not renewed in time. */
export interface RedisLeaderLease {
  readonly holder: string;
  /** Takes the lease when free, renews it when already held; rejects with STATE_UNAVAILABLE. */
  acquire(leaseMs: number): Promise<LeaseAttempt>;
  /** Gives the lease up at once (a clean stop), so another holder need not wait for it. */
  release(): Promise<void>;
}

/** Options of a leader lease: the key is `<keyPrefix><name>`. */
export interface RedisLeaderLeaseOptions {
  client: RedisClient;
  keyPrefix: string;
  name: string;
  /** Who holds it (default: random); written as the key's value. */
  holder?: string;
}

/** A leader lease on the shared Redis, e.g. for the one Telegram poller of a deployment. */
export function createRedisLeaderLease(options: RedisLeaderLeaseOptions): RedisLeaderLease {
  const key = `${options.keyPrefix}${options.name}`;
  const holder = options.holder ?? randomBytes(12).toString('hex');
  const guard = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      throw new GatewayError('STATE_UNAVAILABLE', { cause: error });
    }
  };
  return {
    holder,
    async acquire(leaseMs) {
      const reply = await guard(() =>
        ACQUIRE.run(options.client, [key], [holder, String(Math.max(1, Math.round(leaseMs)))]),
      );
      const [leading, remaining] = (reply as unknown[]).map(Number);
      return { leading: leading === 1, remainingMs: Math.max(0, remaining ?? 0) };
    },
    async release() {
      await guard(() => RELEASE.run(options.client, [key], [holder]));
    },
  };
}
