/**
 * Lua scripts of the budget state. Each runs atomically in Redis, so a burst of admissions cannot overrun a
 * limit between a read and a write. KEYS[1..2] are the tenant's day and month states (always tracked); the
 * user and feature states after them are tracked only while they exist (reconciliation creates them for
 * subjects that have a budget). Hash fields: spent_micros, reserved_micros, spent_tokens, reserved_tokens,
 * limit_micros, limit_tokens (absent: no limit).
 */

/** KEYS: states..., reservation. ARGV: micros, tokens, dayTtl, monthTtl, reservationTtl. Returns {1} ok, {2} already reserved, {0, i} refused by state i. */
export const RESERVE = `
local n = #KEYS - 1
local res = KEYS[#KEYS]
local micros, tokens = tonumber(ARGV[1]), tonumber(ARGV[2])
if redis.call('EXISTS', res) == 1 then return {2} end
local used = {}
for i = 1, n do
  local k = KEYS[i]
  if i <= 2 or redis.call('EXISTS', k) == 1 then
    local v = redis.call('HMGET', k, 'spent_micros', 'reserved_micros', 'limit_micros', 'spent_tokens', 'reserved_tokens', 'limit_tokens')
    local lm, lt = tonumber(v[3]), tonumber(v[6])
    if lm and (tonumber(v[1]) or 0) + (tonumber(v[2]) or 0) + micros > lm then return {0, i} end
    if lt and (tonumber(v[4]) or 0) + (tonumber(v[5]) or 0) + tokens > lt then return {0, i} end
    used[#used + 1] = k
  end
end
for i, k in ipairs(used) do
  redis.call('HINCRBY', k, 'reserved_micros', micros)
  redis.call('HINCRBY', k, 'reserved_tokens', tokens)
  redis.call('EXPIRE', k, (k == KEYS[2] or string.find(k, ':m%d+$')) and ARGV[4] or ARGV[3])
end
redis.call('HSET', res, 'micros', micros, 'tokens', tokens, 'keys', table.concat(used, '\\n'))
redis.call('EXPIRE', res, ARGV[5])
return {1}
`;

/** Releases a reservation (shared by SETTLE and RELEASE): gives back what it still holds on each state. */
const RELEASE_BODY = `
local function release(res)
  local v = redis.call('HMGET', res, 'micros', 'tokens', 'keys')
  if not v[1] then return 0 end
  for k in string.gmatch(v[3] or '', '[^\\n]+') do
    if redis.call('EXISTS', k) == 1 then
      redis.call('HINCRBY', k, 'reserved_micros', -tonumber(v[1]))
      redis.call('HINCRBY', k, 'reserved_tokens', -tonumber(v[2]))
      if tonumber(redis.call('HGET', k, 'reserved_micros')) < 0 then redis.call('HSET', k, 'reserved_micros', 0) end
      if tonumber(redis.call('HGET', k, 'reserved_tokens')) < 0 then redis.call('HSET', k, 'reserved_tokens', 0) end
    end
  end
  redis.call('DEL', res)
  return 1
end
`;

/** KEYS: states..., reservation, settled marker. ARGV: micros, tokens, dayTtl, monthTtl, markerTtl. Returns 1 settled, 0 already settled. */
export const SETTLE = `${RELEASE_BODY}
local n = #KEYS - 2
if not redis.call('SET', KEYS[#KEYS], '1', 'NX', 'EX', ARGV[5]) then return 0 end
for i = 1, n do
  local k = KEYS[i]
  if i <= 2 or redis.call('EXISTS', k) == 1 then
    redis.call('HINCRBY', k, 'spent_micros', ARGV[1])
    redis.call('HINCRBY', k, 'spent_tokens', ARGV[2])
    redis.call('EXPIRE', k, (i % 2 == 0) and ARGV[4] or ARGV[3])
  end
end
release(KEYS[#KEYS - 1])
return 1
`;

/**
 * SETTLE for many calls in one round trip (the ledger settles a whole ingestion batch), summing per budget state
 * so a state shared by many calls is written once. KEYS: the distinct states, then per call its reservation
 * and settled marker. ARGV: states, calls, dayTtl, monthTtl, markerTtl; per state: always (1: tenant states;
 * 0: only while it exists), month (1/0); per call: micros, tokens, its state indexes ("1,2,5"). Returns how
 * many calls were settled now (a call whose marker exists was settled before and adds nothing).
 */
export const SETTLE_MANY = `${RELEASE_BODY}
local S, C = tonumber(ARGV[1]), tonumber(ARGV[2])
local a = 6
local always, month = {}, {}
for i = 1, S do
  always[i] = ARGV[a] == '1'
  month[i] = ARGV[a + 1] == '1'
  a = a + 2
end
local addM, addT = {}, {}
local settled = 0
for c = 1, C do
  local micros, tokens, idx = tonumber(ARGV[a]), tonumber(ARGV[a + 1]), ARGV[a + 2]
  a = a + 3
  if redis.call('SET', KEYS[S + 2 * c], '1', 'NX', 'EX', ARGV[5]) then
    for i in string.gmatch(idx, '%d+') do
      i = tonumber(i)
      addM[i] = (addM[i] or 0) + micros
      addT[i] = (addT[i] or 0) + tokens
    end
    release(KEYS[S + 2 * c - 1])
    settled = settled + 1
  end
end
for i, m in pairs(addM) do
  local k = KEYS[i]
  if always[i] or redis.call('EXISTS', k) == 1 then
    redis.call('HINCRBY', k, 'spent_micros', string.format('%.0f', m))
    redis.call('HINCRBY', k, 'spent_tokens', string.format('%.0f', addT[i]))
    redis.call('EXPIRE', k, month[i] and ARGV[4] or ARGV[3])
  end
end
return settled
`;

/** KEYS: reservation. Returns 1 released, 0 nothing held. */
export const RELEASE = `${RELEASE_BODY}
return release(KEYS[1])
`;

/** KEYS: state. ARGV: spent_micros, spent_tokens, limit_micros|'', limit_tokens|'', ttl. Sets what Postgres knows; reserved stays. */
export const PUBLISH = `
redis.call('HSET', KEYS[1], 'spent_micros', ARGV[1], 'spent_tokens', ARGV[2])
if ARGV[3] == '' then redis.call('HDEL', KEYS[1], 'limit_micros') else redis.call('HSET', KEYS[1], 'limit_micros', ARGV[3]) end
if ARGV[4] == '' then redis.call('HDEL', KEYS[1], 'limit_tokens') else redis.call('HSET', KEYS[1], 'limit_tokens', ARGV[4]) end
redis.call('EXPIRE', KEYS[1], ARGV[5])
return 1
`;
