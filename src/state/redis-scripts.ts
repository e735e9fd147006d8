/*
 * Lua scripts of the Redis StateStore. Each StateStore method is one script, so it is atomic on
 * the server: no other instance can interleave between the read and the write. Scripts compute
 * related key names from the prefixes they are given, so they need a single Redis (or Sentinel),
 * not Redis Cluster.
 *
 * Layout under the deployment prefix P:
 *   P kv:<ns>|<key>       the value (PX for TTLs)
 *   P idx:<ns>            sorted set of the namespace's keys, scored by recency (for LRU and list)
 *   P win:<bucket>|<key>  sorted set of one client's counted hits (score = epoch ms)
 *   P widx:<bucket>       sorted set of the bucket's keys, scored by recency
 *   P seq                 recency counter (a counter, not the time: ties would break LRU order)
 */

/** Records `member` as most recently used and evicts the least recently used past `max`. */
const TOUCH = `
local function touch(idx, seq, member, max, valuePrefix)
  redis.call('ZADD', idx, redis.call('INCR', seq), member)
  local over = redis.call('ZCARD', idx) - max
  if over > 0 then
    local victims = redis.call('ZPOPMIN', idx, over)
    for i = 1, #victims, 2 do redis.call('DEL', valuePrefix .. victims[i]) end
  end
end
`;

/** KEYS: value, index, seq. ARGV: member, max, valuePrefix. Returns the value or nil. */
export const GET_SCRIPT = `${TOUCH}
local value = redis.call('GET', KEYS[1])
if value then touch(KEYS[2], KEYS[3], ARGV[1], tonumber(ARGV[2]), ARGV[3])
else redis.call('ZREM', KEYS[2], ARGV[1]) end
return value
`;

/**
 * KEYS: value, index, seq. ARGV: member, max, valuePrefix, value, ttlMs ("" = none), onlyIfAbsent
 * ("1"). Returns 1 when written.
 */
export const SET_SCRIPT = `${TOUCH}
if ARGV[6] == '1' and redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
if ARGV[5] == '' then redis.call('SET', KEYS[1], ARGV[4])
else redis.call('SET', KEYS[1], ARGV[4], 'PX', ARGV[5]) end
touch(KEYS[2], KEYS[3], ARGV[1], tonumber(ARGV[2]), ARGV[3])
return 1
`;

/** KEYS: value, index. ARGV: member, expected ("" with ARGV[3] = "0" = any value). */
export const DELETE_SCRIPT = `
if ARGV[3] == '1' and redis.call('GET', KEYS[1]) ~= ARGV[2] then return 0 end
redis.call('ZREM', KEYS[2], ARGV[1])
return redis.call('DEL', KEYS[1])
`;

/**
 * KEYS: value, index, seq. ARGV: member, max, valuePrefix, ttlMs, amount. The expiry is set by
 * the add that created the key only, so the count covers one fixed window. Returns the new
 * count, or the error reply NOTINT when the key holds something else.
 */
export const INCREMENT_SCRIPT = `${TOUCH}
local current = redis.call('GET', KEYS[1])
if current and not string.match(current, '^-?%d+$') then return redis.error_reply('NOTINT') end
local count = redis.call('INCRBY', KEYS[1], ARGV[5])
if not current then redis.call('PEXPIRE', KEYS[1], ARGV[4]) end
touch(KEYS[2], KEYS[3], ARGV[1], tonumber(ARGV[2]), ARGV[3])
return count
`;

/** KEYS: index. ARGV: valuePrefix. Returns a flat list [key, value, pttl, ...]; prunes stale keys. */
export const LIST_SCRIPT = `
local out = {}
for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local key = ARGV[1] .. member
  local value = redis.call('GET', key)
  if value then
    out[#out + 1] = member
    out[#out + 1] = value
    out[#out + 1] = redis.call('PTTL', key)
  else
    redis.call('ZREM', KEYS[1], member)
  end
end
return out
`;

/** KEYS: index. ARGV: valuePrefix. Removes members whose value key is gone; returns how many. */
export const PRUNE_INDEX_SCRIPT = `
local removed = 0
for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if redis.call('EXISTS', ARGV[1] .. member) == 0 then
    redis.call('ZREM', KEYS[1], member)
    removed = removed + 1
  end
end
return removed
`;

/**
 * One sliding-window hit. KEYS: window, bucket index, seq. ARGV: now, windowMs, limit, maxKeys,
 * member, windowPrefix. Prunes hits at or before now - windowMs, then counts and records the hit
 * only when allowed (a rejected hit never extends a lockout). Returns {allowed, retryAfterMs}.
 */
export const WINDOW_SCRIPT = `${TOUCH}
local now = tonumber(ARGV[1])
local windowMs = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - windowMs)
local result
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2]
  local at = oldest and tonumber(oldest) or now
  result = {0, math.max(1, at + windowMs - now)}
else
  redis.call('ZADD', KEYS[1], now, ARGV[1] .. ':' .. redis.call('INCR', KEYS[3]))
  redis.call('PEXPIRE', KEYS[1], windowMs)
  result = {1, 0}
end
touch(KEYS[2], KEYS[3], ARGV[5], tonumber(ARGV[4]), ARGV[6])
return result
`;
