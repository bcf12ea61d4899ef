-- Changes a shared directory: the entries' hash KEYS[1], its version KEYS[2] (one hash tag), and its change
-- channel ARGV[2]. ARGV[1] is the version the caller's plan was made at ('' for a change that needs no check);
-- then ARGV[3..] are triples: op ('R' register, 'U' unregister), field, value ('' for 'U').
-- A change that needs a check and finds another version changes nothing and returns {0, version}.
-- Otherwise each op is applied, the version moves on by one for each, and each is published as
-- VERSION\nOP\nFIELD\nVALUE, in order. Returns {1, the last version, fields that were there for each 'U' (1/0)...}.
local version = tonumber(redis.call('GET', KEYS[2]) or '0')
if ARGV[1] ~= '' and tonumber(ARGV[1]) ~= version then
  return {0, version}
end
local out = {1, version}
local i = 3
while i <= #ARGV do
  local op, field, value = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local changed
  if op == 'R' then
    redis.call('HSET', KEYS[1], field, value)
    changed = 1
  else
    changed = redis.call('HDEL', KEYS[1], field)
  end
  if changed == 1 then
    version = redis.call('INCR', KEYS[2])
    redis.call('PUBLISH', ARGV[2], version .. '\n' .. op .. '\n' .. field .. '\n' .. value)
  end
  out[#out + 1] = changed
  i = i + 3
end
out[2] = version
return out
