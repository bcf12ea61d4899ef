-- A request counted by pick.lua ended. KEYS[1] the service's loads, ARGV[1] INSTANCE|CALLER_HUB.
-- The field goes when it reaches 0, so that gone instances leave nothing behind.
if redis.call('HINCRBY', KEYS[1], ARGV[1], -1) <= 0 then
  redis.call('HDEL', KEYS[1], ARGV[1])
end
return {}
