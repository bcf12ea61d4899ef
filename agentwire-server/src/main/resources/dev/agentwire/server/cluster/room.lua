-- A room's state, starting it (with epoch ARGV[1]) if it has none.
-- KEYS[1] the room's meta hash, KEYS[2] its stream.
-- Returns {epoch, top offset, the oldest entry's id or '', created (1 when this started the room)}.
local epoch = redis.call('HGET', KEYS[1], 'epoch')
local created = '0'
if not epoch then
  epoch = ARGV[1]
  redis.call('HSET', KEYS[1], 'epoch', epoch)
  created = '1'
end
local top = redis.call('HGET', KEYS[1], 'top') or '0'
local first = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)
local oldest = ''
if #first > 0 then
  oldest = first[1][1]
end
return {epoch, top, oldest, created}
