-- One room message, published: the room's order for every hub comes from here.
-- KEYS[1] the room's meta hash (epoch, top), KEYS[2] its stream (entry id = offset), KEYS[3] the idempotency key
-- (the meta key again when the message has none); all under the room's hash tag.
-- ARGV[1] the epoch to start if the room has none, ARGV[2] the stream's MAXLEN (the room's retention),
-- ARGV[3] the room's channel, ARGV[4] the publishing hub, ARGV[5] the message (JSON, without offset and epoch),
-- ARGV[6] its timestamp, ARGV[7] its id, ARGV[8] how long the idempotency key lives in seconds ('' for none).
-- Returns {offset, epoch, created (1 when this started the room), duplicate (1 when the key matched), id}.
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if ARGV[8] ~= '' then
  local earlier = redis.call('GET', KEYS[3])
  if earlier then
    local sep = string.find(earlier, ':', 1, true)
    return {string.sub(earlier, 1, sep - 1), epoch or '', '0', '1', string.sub(earlier, sep + 1)}
  end
end
local created = '0'
if not epoch then
  epoch = ARGV[1]
  redis.call('HSET', KEYS[1], 'epoch', epoch)
  created = '1'
end
local offset = redis.call('HINCRBY', KEYS[1], 'top', 1)
if offset == 1 then
  -- A new epoch: a stream left from before (its meta hash was lost) is not this epoch's history.
  redis.call('DEL', KEYS[2])
end
redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[2], offset .. '-0', 't', ARGV[6], 'm', ARGV[5])
redis.call('PUBLISH', ARGV[3], offset .. ':' .. epoch .. ':' .. ARGV[4] .. ':' .. ARGV[5])
if ARGV[8] ~= '' then
  redis.call('SET', KEYS[3], offset .. ':' .. ARGV[7], 'EX', ARGV[8])
end
return {tostring(offset), epoch, created, '0', ARGV[7]}
