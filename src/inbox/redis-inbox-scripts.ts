/*
 * Lua scripts of the Redis inbox. Every write is one script, so it is atomic on the server: two
 * instances never take the same item, and a stale owner's write is checked and refused in the
 * same step that would apply it. ARGV[1] is always the inbox prefix P (`<key_prefix>inbox:`);
 * scripts build related key names from it, so they need one Redis server (or Sentinel), not
 * Redis Cluster.
 *
 * Layout under P:
 *   seq             item id counter
 *   item:<id>       hash: id, ch, dk (dedup field), cv (conversation), msg (JSON), st, att, nb
 *                   (not before), enq, tok (claim token), lease, parts (JSON), err, reason, cat, uat
 *   dedup           hash "<channel>|<message id>" -> item id, while the item exists
 *   conv:<cv>       sorted set of a conversation's unfinished (pending or processing) item ids
 *   heads           sorted set: conversation -> its oldest unfinished item id
 *   all, st:<st>    sorted sets of item ids (all; per status), for listing and counts
 *   fin:<st>        sorted sets of done / dead item ids scored by their last change (retention)
 *   unknown         hash item id -> parts with an unknown outcome
 *   cursor          hash of small named cursors
 */

const HELPERS = `
local P = ARGV[1]
local function itemKey(id) return P .. 'item:' .. id end
local function refreshHead(cv)
  local first = redis.call('ZRANGE', P .. 'conv:' .. cv, 0, 0, 'WITHSCORES')
  if first[1] then redis.call('ZADD', P .. 'heads', first[2], cv)
  else redis.call('ZREM', P .. 'heads', cv) end
end
local function moveStatus(id, from, to)
  redis.call('ZREM', P .. 'st:' .. from, id)
  redis.call('ZADD', P .. 'st:' .. to, id, id)
end
local function owned(id, token)
  local v = redis.call('HMGET', itemKey(id), 'st', 'tok')
  return v[1] == 'processing' and v[2] == token
end
local function busyBeside(cv, id, now)
  local ids = redis.call('ZRANGE', P .. 'conv:' .. cv, 1, -1)
  for _, other in ipairs(ids) do
    local v = redis.call('HMGET', itemKey(other), 'st', 'lease')
    if other ~= id and v[1] == 'processing' and tonumber(v[2]) > now then return true end
  end
  return false
end
local function deleteItem(id)
  local k = itemKey(id)
  local v = redis.call('HMGET', k, 'dk', 'cv', 'st')
  if not v[3] then return 0 end
  redis.call('HDEL', P .. 'dedup', v[1])
  if redis.call('ZREM', P .. 'conv:' .. v[2], id) == 1 then refreshHead(v[2]) end
  redis.call('ZREM', P .. 'st:' .. v[3], id)
  redis.call('ZREM', P .. 'fin:' .. v[3], id)
  redis.call('ZREM', P .. 'all', id)
  redis.call('HDEL', P .. 'unknown', id)
  redis.call('DEL', k)
  return 1
end
`;

/** ARGV: P, now, then (channel, messageId, conversationId, json) per message. Returns accepted. */
export const ENQUEUE_SCRIPT = `${HELPERS}
local now = ARGV[2]
local accepted = 0
for i = 3, #ARGV, 4 do
  local dk = ARGV[i] .. '|' .. ARGV[i + 1]
  if redis.call('HEXISTS', P .. 'dedup', dk) == 0 then
    local id = redis.call('INCR', P .. 'seq')
    local cv = ARGV[i] .. '|' .. ARGV[i + 2]
    redis.call('HSET', itemKey(id), 'id', id, 'ch', ARGV[i], 'dk', dk, 'cv', cv,
      'msg', ARGV[i + 3], 'st', 'pending', 'att', 0, 'nb', now, 'enq', now, 'lease', 0,
      'cat', now, 'uat', now)
    redis.call('HSET', P .. 'dedup', dk, id)
    redis.call('ZADD', P .. 'conv:' .. cv, id, id)
    redis.call('ZADD', P .. 'st:pending', id, id)
    redis.call('ZADD', P .. 'all', id, id)
    refreshHead(cv)
    accepted = accepted + 1
  end
end
return accepted
`;

/**
 * ARGV: P, now, leaseMs, limit, token base. Walks the conversations oldest head first and claims
 * each head that is due (pending) or whose lease expired (processing): one per conversation,
 * never behind an older unfinished item nor beside a live claim of the same conversation. Returns the claimed items as HGETALL lists.
 */
export const CLAIM_SCRIPT = `${HELPERS}
local now = tonumber(ARGV[2])
local leaseUntil = now + tonumber(ARGV[3])
local limit = tonumber(ARGV[4])
local out = {}
local heads = redis.call('ZRANGE', P .. 'heads', 0, -1, 'WITHSCORES')
for i = 1, #heads, 2 do
  if #out >= limit then break end
  local id = heads[i + 1]
  local k = itemKey(id)
  local v = redis.call('HMGET', k, 'st', 'nb', 'lease')
  local due = (v[1] == 'pending' and tonumber(v[2]) <= now)
    or (v[1] == 'processing' and tonumber(v[3]) <= now)
  -- A requeued dead letter heads its conversation again while a later item may be in work.
  if due and not busyBeside(heads[i], id, now) then
    redis.call('HINCRBY', k, 'att', 1)
    redis.call('HSET', k, 'st', 'processing', 'tok', ARGV[5] .. ':' .. id, 'lease', leaseUntil,
      'uat', now)
    moveStatus(id, v[1], 'processing')
    out[#out + 1] = redis.call('HGETALL', k)
  end
end
return out
`;

/** ARGV: P, id, token, leaseUntil. Returns 1 when the claim is still this token's. */
export const EXTEND_SCRIPT = `${HELPERS}
if not owned(ARGV[2], ARGV[3]) then return 0 end
redis.call('HSET', itemKey(ARGV[2]), 'lease', ARGV[4])
return 1
`;

/** ARGV: P, id, token, parts JSON (all pending), now. */
export const SAVE_REPLY_SCRIPT = `${HELPERS}
if not owned(ARGV[2], ARGV[3]) then return 0 end
redis.call('HSET', itemKey(ARGV[2]), 'parts', ARGV[4], 'uat', ARGV[5])
redis.call('HDEL', P .. 'unknown', ARGV[2])
return 1
`;

/** ARGV: P, id, token, index (0-based), state, now. Returns the new parts JSON, or false. */
export const MARK_PART_SCRIPT = `${HELPERS}
if not owned(ARGV[2], ARGV[3]) then return false end
local k = itemKey(ARGV[2])
local raw = redis.call('HGET', k, 'parts')
if not raw then return false end
local parts = cjson.decode(raw)
local part = parts[tonumber(ARGV[4]) + 1]
if part == nil then return false end
part.state = ARGV[5]
local unknown = 0
for _, p in ipairs(parts) do if p.state == 'unknown' then unknown = unknown + 1 end end
local json = cjson.encode(parts)
redis.call('HSET', k, 'parts', json, 'uat', ARGV[6])
if unknown > 0 then redis.call('HSET', P .. 'unknown', ARGV[2], unknown)
else redis.call('HDEL', P .. 'unknown', ARGV[2]) end
return json
`;

/**
 * Ends a claim. ARGV: P, id, token, now, outcome ("done" | "pending" | "dead"), notBefore,
 * reason, error. "pending" keeps the item at the head of its conversation (a retry); "done" and
 * "dead" release the conversation to its next item.
 */
export const SETTLE_SCRIPT = `${HELPERS}
local id, now, outcome = ARGV[2], ARGV[4], ARGV[5]
if not owned(id, ARGV[3]) then return 0 end
local k = itemKey(id)
redis.call('HDEL', k, 'tok')
redis.call('HSET', k, 'st', outcome, 'uat', now)
moveStatus(id, 'processing', outcome)
if outcome == 'pending' then
  redis.call('HSET', k, 'nb', ARGV[6], 'err', ARGV[8])
  return 1
end
if outcome == 'dead' then redis.call('HSET', k, 'reason', ARGV[7], 'err', ARGV[8]) end
redis.call('ZADD', P .. 'fin:' .. outcome, now, id)
local cv = redis.call('HGET', k, 'cv')
redis.call('ZREM', P .. 'conv:' .. cv, id)
refreshHead(cv)
return 1
`;

/** ARGV: P, id, now. A dead item back to pending at the front of its conversation. */
export const REQUEUE_SCRIPT = `${HELPERS}
local id, now = ARGV[2], ARGV[3]
local k = itemKey(id)
if redis.call('HGET', k, 'st') ~= 'dead' then return 0 end
redis.call('HSET', k, 'st', 'pending', 'att', 0, 'nb', now, 'enq', now, 'uat', now)
redis.call('HDEL', k, 'reason')
moveStatus(id, 'dead', 'pending')
redis.call('ZREM', P .. 'fin:dead', id)
local cv = redis.call('HGET', k, 'cv')
redis.call('ZADD', P .. 'conv:' .. cv, id, id)
refreshHead(cv)
return 1
`;

/** ARGV: P, id. Deletes an item that is not being processed. */
export const DROP_SCRIPT = `${HELPERS}
local st = redis.call('HGET', itemKey(ARGV[2]), 'st')
if not st or st == 'processing' then return 0 end
return deleteItem(ARGV[2])
`;

/** ARGV: P, status ("done" | "dead"), exclusive upper bound ("+inf" for all), batch size. */
export const PURGE_SCRIPT = `${HELPERS}
local bound = ARGV[3] == '+inf' and '+inf' or '(' .. ARGV[3]
local ids = redis.call('ZRANGEBYSCORE', P .. 'fin:' .. ARGV[2], '-inf', bound, 'LIMIT', 0,
  tonumber(ARGV[4]))
local removed = 0
for _, id in ipairs(ids) do
  if deleteItem(id) == 0 then redis.call('ZREM', P .. 'fin:' .. ARGV[2], id) end
  removed = removed + 1
end
return removed
`;

/** ARGV: P. Returns {pending, processing, done, dead, unknown parts}. */
export const COUNTS_SCRIPT = `${HELPERS}
local out = {}
for _, st in ipairs({'pending', 'processing', 'done', 'dead'}) do
  out[#out + 1] = redis.call('ZCARD', P .. 'st:' .. st)
end
local unknown = 0
for _, n in ipairs(redis.call('HVALS', P .. 'unknown')) do unknown = unknown + tonumber(n) end
out[#out + 1] = unknown
return out
`;

/** ARGV: P, status ("" = any), channel ("" = any), limit. Items newest first as HGETALL lists. */
export const LIST_SCRIPT = `${HELPERS}
local source = ARGV[2] == '' and P .. 'all' or P .. 'st:' .. ARGV[2]
local limit = tonumber(ARGV[4])
local out = {}
local offset = 0
while #out < limit do
  local ids = redis.call('ZREVRANGE', source, offset, offset + 199)
  if #ids == 0 then break end
  for _, id in ipairs(ids) do
    if #out >= limit then break end
    local k = itemKey(id)
    if ARGV[3] == '' or redis.call('HGET', k, 'ch') == ARGV[3] then
      out[#out + 1] = redis.call('HGETALL', k)
    end
  end
  offset = offset + 200
end
return out
`;
