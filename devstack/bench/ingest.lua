-- wrk script for `./freshet bench ingest`: POSTs realistic batches to /v1/events, rotating over several
-- tenants' keys and pre-built bodies. Configured by environment: BENCH_KEYS (comma-separated API keys),
-- BENCH_BATCH (events per request); for a steady offered load instead of as fast as it goes, BENCH_RATE
-- (events/s in all) with BENCH_CONNECTIONS (wrk's -c).
-- Counts what the gateway answered: 202 answers and the events their bodies say were accepted and rejected;
-- every other answer by its status.
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "answers.lua")
local keys = {}
for key in string.gmatch(os.getenv("BENCH_KEYS"), "[^,]+") do keys[#keys + 1] = key end
local batch = tonumber(os.getenv("BENCH_BATCH"))
local types = {"page.viewed", "order.created", "cart.updated", "search.performed", "session.started"}

-- one ~200-byte event, varied like real traffic
local function event(i)
  return string.format(
    '{"type":"%s","user_id":"user-%d","session_id":"s-%d","properties":{"path":"/products/%d","referrer":"https://example.com/search?q=item%d","price":%d.%02d,"currency":"EUR","in_stock":true}}',
    types[i % #types + 1], i % 5000, i % 900, i % 10000, i % 977, i % 300, i % 100)
end

local bodies = {}
for b = 1, 20 do
  local events = {}
  for i = 1, batch do events[i] = event(b * batch + i) end
  bodies[b] = "[" .. table.concat(events, ",") .. "]"
end

-- each connection waits between its requests so that all of them together offer BENCH_RATE events/s
local rate = tonumber(os.getenv("BENCH_RATE") or "")
if rate then
  local pause_ms = tonumber(os.getenv("BENCH_CONNECTIONS")) * batch * 1000 / rate
  delay = function() return pause_ms end
end

local n = 0
request = function()
  n = n + 1
  return wrk.format("POST", "/v1/events", {
    ["Authorization"] = "Bearer " .. keys[n % #keys + 1],
    ["Content-Type"] = "application/json",
  }, bodies[n % #bodies + 1])
end

response = function(status, headers, body)
  if status == 202 then
    count("acknowledged")
    count("accepted", tonumber(body:match('"accepted":%s*(%d+)')) or 0)
    count("rejected", tonumber(body:match('"rejected":%s*(%d+)')) or 0)
  else
    other(status)
  end
end

done = function(summary, latency, requests)
  local sums, non202 = totals()
  io.write(string.format("BENCH requests=%d seconds=%.3f acknowledged=%d accepted=%d rejected=%d non202=%s p50_ms=%.2f p99_ms=%.2f errors=%d\n",
    summary.requests, summary.duration / 1e6, sums.acknowledged, sums.accepted, sums.rejected, non202,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, socket_errors(summary)))
end
