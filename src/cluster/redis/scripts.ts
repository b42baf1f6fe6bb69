// The four scripts of shared admission, loaded once per connection (ioredis defineCommand:
// EVALSHA, falling back to EVAL only when the server has lost the script).
//
// admit  ARGV: P, leaseId, now|'', ttlMs, amount, tokens, meta, nb, nb x {key, usd, enforce},
//        nl, nl x {id, rpm|'', tpm|'', concurrency|''}
//   -> {'ok', now, nb x {spent, reserved}, nl x {reqUsed, reqReset, tokUsed, tokReset}, shadow idx...}
//   -> {'budget', idx, spent, reserved}          an enforced budget has no room
//   -> {'limit', idx, which, retryMs, now, nl x report}
//   -> {'seed', idx}                             a budget period Redis has never seen (cold Redis)
// settle ARGV: P, now|'', n, n x {leaseId, cost, actualTokens|''}  -> n x {spent...} (or 0 if gone)
// renew  ARGV: P, now|'', ttlMs, instance, ids...  -> {swept, live instances}; extends this
//        instance's live leases and its membership
// charge ARGV: P, n x {budget key, usd}  -> adds an outage's local spend to live periods
// seed   ARGV: P, key, spent, periodEndMs|'inf', now|'' -> 1 if seeded, 0 if another instance was first

import { LEASE_LUA } from './lease-lua.js';

const ADMIT = `${LEASE_LUA}
local id, now, ttl = ARGV[2], clock(ARGV[3]), tonumber(ARGV[4])
local amount, tokens, meta = tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7]
sweep(now, 8)
local nowSec = math.floor(now / 1000)
local nb = tonumber(ARGV[8])
local budgets, shadow, bout = {}, {}, {}
local a = 9
for i = 1, nb do
  local key, usd, enforce = P .. ARGV[a], tonumber(ARGV[a + 1]), ARGV[a + 2] == '1'
  a = a + 3
  if redis.call('EXISTS', key) == 0 then return {'seed', i} end
  local v = redis.call('HMGET', key, 'spent', 'reserved')
  local spent, reserved = tonumber(v[1]) or 0, tonumber(v[2]) or 0
  if spent + reserved + amount > usd + 1e-12 then
    if enforce then return {'budget', i, tostring(spent), tostring(reserved)} end
    shadow[#shadow + 1] = i
  end
  budgets[i] = key
end
local nl = tonumber(ARGV[a])
a = a + 1
local limits = {}
for i = 1, nl do
  local L = {id = ARGV[a], rpm = tonumber(ARGV[a + 1]), tpm = tonumber(ARGV[a + 2]), conc = tonumber(ARGV[a + 3])}
  a = a + 4
  L.c, L.r, L.t = P .. 'c:' .. L.id, P .. 'r:' .. L.id, P .. 't:' .. L.id
  limits[i] = L
end
-- Every window's use and reset, for the rate-limit headers.
local function report()
  local out = {}
  for _, L in ipairs(limits) do
    local ru, rr, tu, tr = -1, 0, -1, 0
    if L.rpm then
      local used, secs, counts = window(L.r, nowSec)
      ru = used
      rr = used > 0 and untilFree(secs, counts, used, now) or 0
    end
    if L.tpm then
      local used, secs, counts = window(L.t, nowSec)
      tu = used
      tr = used > 0 and untilFree(secs, counts, used, now) or 0
    end
    out[#out + 1] = ru; out[#out + 1] = rr; out[#out + 1] = tu; out[#out + 1] = tr
  end
  return out
end
for i, L in ipairs(limits) do
  if L.conc and (tonumber(redis.call('GET', L.c)) or 0) + 1 > L.conc then
    local out = {'limit', i, 'concurrency', 1000, now}
    for _, v in ipairs(report()) do out[#out + 1] = v end
    return out
  end
  if L.rpm then
    local used, secs, counts = window(L.r, nowSec)
    if used + 1 > L.rpm then
      local out = {'limit', i, 'requests', math.max(1, untilFree(secs, counts, used + 1 - L.rpm, now)), now}
      for _, v in ipairs(report()) do out[#out + 1] = v end
      return out
    end
  end
  -- A single request larger than the whole limit is admitted into an empty window.
  if L.tpm then
    local used, secs, counts = window(L.t, nowSec)
    if used > 0 and used + tokens > L.tpm then
      local out = {'limit', i, 'tokens', math.max(1, untilFree(secs, counts, used + tokens - L.tpm, now)), now}
      for _, v in ipairs(report()) do out[#out + 1] = v end
      return out
    end
  end
end
-- Everything has room: take it all.
local lease = {id = id, amt = amount, b = {}, c = {}, t = {}, meta = meta}
for i = 1, nb do
  local key = budgets[i]
  local r = redis.call('HINCRBYFLOAT', key, 'reserved', amount)
  local s = redis.call('HGET', key, 'spent') or '0'
  lease.b[i] = key
  bout[#bout + 1] = s; bout[#bout + 1] = r
end
for _, L in ipairs(limits) do
  if L.conc then redis.call('INCR', L.c); lease.c[#lease.c + 1] = L.c end
  if L.rpm then redis.call('HINCRBY', L.r, nowSec, 1); redis.call('PEXPIRE', L.r, 120000) end
  if L.tpm then
    redis.call('HINCRBY', L.t, nowSec, tokens); redis.call('PEXPIRE', L.t, 120000)
    lease.t[#lease.t + 1] = {L.t, nowSec, tokens}
  end
end
if nb > 0 or #lease.c > 0 or #lease.t > 0 then
  redis.call('SET', P .. 'lease:' .. id, cjson.encode(lease))
  redis.call('ZADD', P .. 'leases', now + ttl, id)
end
local out = {'ok', now}
for _, v in ipairs(bout) do out[#out + 1] = v end
for _, v in ipairs(report()) do out[#out + 1] = v end
for _, i in ipairs(shadow) do out[#out + 1] = i end
return out
`;

const SETTLE = `${LEASE_LUA}
local now = clock(ARGV[2])
local n = tonumber(ARGV[3])
local out = {}
for i = 0, n - 1 do
  local id, cost, actual = ARGV[4 + i * 3], tonumber(ARGV[5 + i * 3]), tonumber(ARGV[6 + i * 3])
  local spent = release(id, cost, actual, now)
  out[#out + 1] = spent or 0
end
return out
`;

const RENEW = `${LEASE_LUA}
local now = clock(ARGV[2])
local ttl = tonumber(ARGV[3])
-- This instance is live for three renewals more (the local policy's share divides by the count).
redis.call('ZADD', P .. 'members', now + ttl, ARGV[4])
redis.call('ZREMRANGEBYSCORE', P .. 'members', '-inf', now)
for i = 5, #ARGV do redis.call('ZADD', P .. 'leases', 'XX', now + ttl, ARGV[i]) end
return {sweep(now, 100), redis.call('ZCARD', P .. 'members')}
`;

// What the local policy spent during an outage, added to periods Redis still holds (a period
// it lost is seeded from the ledger, which has those records).
const CHARGE = `
local P = ARGV[1]
for i = 2, #ARGV, 2 do
  local key = P .. ARGV[i]
  if redis.call('EXISTS', key) == 1 then redis.call('HINCRBYFLOAT', key, 'spent', ARGV[i + 1]) end
end
return 1
`;

const SEED = `${LEASE_LUA}
local key = P .. ARGV[2]
if redis.call('EXISTS', key) == 1 then return 0 end
redis.call('HSET', key, 'spent', ARGV[3], 'reserved', 0)
-- Kept a day past the period's end (relative to the scripts' clock, which tests inject).
if ARGV[4] ~= 'inf' then redis.call('PEXPIRE', key, math.max(1, tonumber(ARGV[4]) - clock(ARGV[5])) + 86400000) end
return 1
`;

export const ADMISSION_SCRIPTS = {
  mpAdmit: ADMIT,
  mpSettle: SETTLE,
  mpRenew: RENEW,
  mpSeed: SEED,
  mpCharge: CHARGE,
} as const;
