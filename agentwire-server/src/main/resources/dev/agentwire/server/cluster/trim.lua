-- Drops a room's oldest messages beyond ARGV[1] and those older than ARGV[2] (ms since the epoch).
-- KEYS[1] the room's stream. Offsets in the stream are dense (it is only ever cut from the front), so the first
-- message young enough is found by a binary search over offsets: at most 64 reads, however long the stream.
-- Returns how many messages went.
local removed = redis.call('XTRIM', KEYS[1], 'MAXLEN', ARGV[1])
local first = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)
if #first == 0 then
  return removed
end
local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
local function offset(id)
  return tonumber(string.match(id, '^(%d+)'))
end
local function ts(o)
  local e = redis.call('XRANGE', KEYS[1], o .. '-0', o .. '-0')
  return tonumber(e[1][2][2])
end
local minTs = tonumber(ARGV[2])
local lo, hi = offset(first[1][1]), offset(last[1][1])
if ts(lo) >= minTs then
  return removed
end
-- ts(lo) < minTs: find the first offset in (lo, hi + 1] whose message is young enough.
local a, b = lo, hi + 1
while b - a > 1 do
  local mid = math.floor((a + b) / 2)
  if ts(mid) >= minTs then
    b = mid
  else
    a = mid
  end
end
return removed + redis.call('XTRIM', KEYS[1], 'MINID', b .. '-0')
