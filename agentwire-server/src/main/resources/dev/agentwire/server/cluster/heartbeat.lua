-- A hub's heartbeat. KEYS[1] the hubs' beats (sorted set, score = Redis time in ms), KEYS[2] what each hub says of
-- itself (hash); one hash tag. ARGV[1] the hub, ARGV[2] how long without a beat makes a hub dead (ms), ARGV[3]
-- what it says of itself (JSON). Redis's clock, not the hubs', decides who is dead.
-- Returns {now, {dead hubs this beat found}, {hub, score, hub, score, ...}, 1 when this hub was not among the
-- live ones (its first beat, or it had been found dead: paused too long) else 0}.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local absent = 0
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  absent = 1
end
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
local limit = now - tonumber(ARGV[2])
local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. limit)
for _, h in ipairs(dead) do
  redis.call('ZREM', KEYS[1], h)
  redis.call('HDEL', KEYS[2], h)
end
return {tostring(now), dead, redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES'), absent}
