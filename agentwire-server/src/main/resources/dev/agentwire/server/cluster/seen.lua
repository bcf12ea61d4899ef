-- Which of some messages the room's stream already holds, looked for among its newest entries. A publish whose
-- reply was lost when Redis went away may or may not have run; before the outbox publishes it again, this says.
-- KEYS[1] the room's stream. ARGV[1] how many of the newest entries to look through, ARGV[2..] message ids.
-- Returns the ids found. One pass: each entry's id is read once (the hub writes it first) and looked up in a set.
local wanted = {}
for i = 2, #ARGV do
  wanted[ARGV[i]] = true
end
local found = {}
for _, e in ipairs(redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', ARGV[1])) do
  local fields = e[2]
  for f = 1, #fields, 2 do
    if fields[f] == 'm' then
      local id = string.match(fields[f + 1], '^{"id":"([^"]*)"')
      if id and wanted[id] then
        found[#found + 1] = id
        wanted[id] = nil
      end
      break
    end
  end
end
return found
