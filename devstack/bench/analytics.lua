-- wrk script for `./freshet bench analytics`: GETs one analytics query with a tenant key. Configured by
-- environment: BENCH_KEY, BENCH_PATH (the query, with {from} and {to} where a distinct closed day goes per
-- request to defeat the cache, or none to ask the same thing each time), BENCH_RATE and BENCH_CONNECTIONS (paced
-- requests/s in all; as fast as it goes when unset). Counts the 2xx answers, and every other answer by its status.
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "answers.lua")
local key = os.getenv("BENCH_KEY")
local path = os.getenv("BENCH_PATH")
local rate = tonumber(os.getenv("BENCH_RATE") or "")
if rate then
  local pause_ms = tonumber(os.getenv("BENCH_CONNECTIONS")) * 1000 / rate
  delay = function() return pause_ms end
end

local base = os.time() - 3600
local n = 0
request = function()
  n = n + 1
  -- a different minute of the past week each time: a range nobody asked for yet
  local t = base - ((n * 7919 + math.random(0, 600)) % 8640) * 60
  local day = path:gsub("{from}", os.date("!%Y-%m-%dT%H:%M:00Z", t - 86400)):gsub("{to}", os.date("!%Y-%m-%dT%H:%M:00Z", t))
  return wrk.format("GET", day, {["Authorization"] = "Bearer " .. key})
end

response = function(status, headers, body)
  if status >= 200 and status < 300 then count("ok") else other(status) end
end

done = function(summary, latency, requests)
  local sums, non2xx = totals()
  io.write(string.format("BENCH requests=%d seconds=%.3f ok=%d non2xx=%s p50_ms=%.2f p95_ms=%.2f p99_ms=%.2f errors=%d\n",
    summary.requests, summary.duration / 1e6, sums.ok, non2xx,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, socket_errors(summary)))
end
