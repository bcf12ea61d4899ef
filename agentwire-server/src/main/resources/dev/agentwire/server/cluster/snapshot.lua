-- A shared directory as it is now: {version, field, value, field, value, ...}, read in one step.
-- KEYS[1] the entries' hash, KEYS[2] its version.
local out = {redis.call('GET', KEYS[2]) or '0'}
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all do
  out[#out + 1] = all[i]
end
return out
