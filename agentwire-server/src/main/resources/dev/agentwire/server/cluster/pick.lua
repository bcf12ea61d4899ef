-- A service's least loaded instance, counted over every live hub's requests in flight; ties in turn.
-- KEYS[1] the service's loads (hash: INSTANCE|CALLER_HUB -> requests that hub has in flight on the instance),
-- KEYS[2] its turn counter; one hash tag. ARGV[1] the calling hub, ARGV[2] the live hubs (comma separated: a dead
-- hub's requests no longer count), ARGV[3..] the candidate instances (HUB:CONNECTION).
-- Counts the request on the one picked and returns {its place among the candidates} (1 for the first).
local hubs = {}
for h in string.gmatch(ARGV[2], '[^,]+') do
  hubs[#hubs + 1] = h
end
local best, ties = nil, {}
for i = 3, #ARGV do
  local fields = {}
  for j, h in ipairs(hubs) do
    fields[j] = ARGV[i] .. '|' .. h
  end
  local load = 0
  if #fields > 0 then
    for _, v in ipairs(redis.call('HMGET', KEYS[1], unpack(fields))) do
      local n = tonumber(v) or 0
      if n > 0 then
        load = load + n
      end
    end
  end
  if best == nil or load < best then
    best = load
    ties = {i}
  elseif load == best then
    ties[#ties + 1] = i
  end
end
local turn = redis.call('INCR', KEYS[2])
local chosen = ties[(turn % #ties) + 1]
redis.call('HINCRBY', KEYS[1], ARGV[chosen] .. '|' .. ARGV[1], 1)
return {tostring(chosen - 2)}
