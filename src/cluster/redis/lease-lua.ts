// Lua shared by the admission and settlement scripts: the sliding windows and the release of a
// lease. Redis runs a script atomically, so everything a request takes (windows, concurrency
// slots, budget reservations) is taken or released in one step across every instance.
//
// Keys, under the configured prefix P:
//   P..'leases'            ZSET  lease id -> expiry (ms); swept when expired, renewed by its instance
//   P..'lease:'..id        STRING JSON {amt, b = {budget keys}, c = {slot keys}, t = {{window, sec, est}}, meta}
//   P..'b:'..id..':'..start HASH spent, reserved (USD) for one budget period
//   P..'c:'..id            STRING concurrency slots in use
//   P..'r:'..id / 't:'..id HASH second -> requests / tokens in the last 60 s
//   P..'unsettled'         LIST  JSON of leases that expired unsettled (charged their estimate)

export const LEASE_LUA = `
local P = ARGV[1]

local function clock(arg)
  if arg ~= nil and arg ~= '' then return tonumber(arg) end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- The window's use over the 60 seconds ending at nowSec; expired seconds are deleted on the way.
local function window(key, nowSec)
  local raw = redis.call('HGETALL', key)
  local total, secs, counts = 0, {}, {}
  for i = 1, #raw, 2 do
    local s, n = tonumber(raw[i]), tonumber(raw[i + 1])
    if s <= nowSec - 60 then
      redis.call('HDEL', key, raw[i])
    elseif n > 0 then
      total = total + n
      secs[#secs + 1] = s
      counts[s] = n
    end
  end
  table.sort(secs)
  return total, secs, counts
end

-- Milliseconds until at least need of the window's use has expired (oldest second first).
local function untilFree(secs, counts, need, now)
  if need <= 0 then return 0 end
  local freed = 0
  for _, s in ipairs(secs) do
    freed = freed + counts[s]
    if freed >= need then return math.max(0, (s + 60) * 1000 - now) end
  end
  return 60000
end

-- Gives back what a lease holds: reservations become cost (the lease's estimate when charge is
-- nil), slots are freed, token windows corrected. Returns each budget's spent after, or nil.
local function release(id, cost, actual, now)
  local lk = P .. 'lease:' .. id
  local raw = redis.call('GET', lk)
  if not raw then return nil end
  local L = cjson.decode(raw)
  if cost == nil then cost = L.amt end
  local spent = {}
  for i, b in ipairs(L.b) do
    local r = tonumber(redis.call('HINCRBYFLOAT', b, 'reserved', -L.amt))
    if r < 1e-12 then redis.call('HSET', b, 'reserved', 0) end
    spent[i] = redis.call('HINCRBYFLOAT', b, 'spent', cost)
  end
  for _, c in ipairs(L.c) do
    if redis.call('DECR', c) < 0 then redis.call('SET', c, 0) end
  end
  if actual ~= nil then
    local nowSec = math.floor(now / 1000)
    for _, t in ipairs(L.t) do
      if t[2] > nowSec - 60 and t[2] <= nowSec then
        local v = redis.call('HINCRBY', t[1], t[2], actual - t[3])
        if v < 0 then redis.call('HSET', t[1], t[2], 0) end
      end
    end
  end
  redis.call('DEL', lk)
  redis.call('ZREM', P .. 'leases', id)
  return spent
end

-- Leases whose instance stopped renewing them: charged their estimate, never forgiven, and
-- queued for the ledger as unsettled.
local function sweep(now, max)
  local ids = redis.call('ZRANGEBYSCORE', P .. 'leases', '-inf', now, 'LIMIT', 0, max)
  for _, id in ipairs(ids) do
    local raw = redis.call('GET', P .. 'lease:' .. id)
    if raw then
      release(id, nil, nil, now)
      redis.call('RPUSH', P .. 'unsettled', raw)
      redis.call('LTRIM', P .. 'unsettled', -10000, -1)
    else
      redis.call('ZREM', P .. 'leases', id)
    end
  end
  return #ids
end
`;
