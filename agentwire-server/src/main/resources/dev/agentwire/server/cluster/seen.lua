-- Which of some messages the room's stream already holds, looked for among its newest entries. A publish whose
-- reply was lost when Redis went away may or may not have run; before the outbox publishes it again, this says.
-- KEYS[1] the room's stream. ARGV[1] how many of the newest entries to look through, ARGV[2..] message ids.
-- Returns the ids found.
local entries = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', ARGV[1])
local found = {}
for i = 2, #ARGV do
  local needle = '"id":"' .. ARGV[i] .. '"'
  for _, e in ipairs(entries) do
    local fields = e[2]
    for f = 1, #fields, 2 do
      if fields[f] == 'm' and string.find(fields[f + 1], needle, 1, true) then
        found[#found + 1] = ARGV[i]
        break
      end
    end
    if found[#found] == ARGV[i] then
      break
    end
  end
end
return found
