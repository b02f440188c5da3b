-- Answer counting for the bench scripts, so that their figures come from what the server answered, not from what
-- was sent. Each wrk thread has its own Lua state: a thread counts into its globals `counts` (named counters) and
-- `others` (answers by status); totals() adds up every thread's at the end.
counts, others = {}, {}

local threads = {}
function setup(thread) threads[#threads + 1] = thread end

function count(name, n) counts[name] = (counts[name] or 0) + (n or 1) end

function other(status) others[status] = (others[status] or 0) + 1 end

-- every thread's counters added up (a counter never counted is 0), and the other answers as "401:3,503:12"
-- (status:answers) or "none"
function totals()
  local sums, by_status = setmetatable({}, {__index = function() return 0 end}), {}
  for _, thread in ipairs(threads) do
    for name, n in pairs(thread:get("counts")) do sums[name] = sums[name] + n end
    for status, n in pairs(thread:get("others")) do by_status[status] = (by_status[status] or 0) + n end
  end
  local statuses, parts = {}, {}
  for status in pairs(by_status) do statuses[#statuses + 1] = status end
  table.sort(statuses)
  for _, status in ipairs(statuses) do parts[#parts + 1] = status .. ":" .. by_status[status] end
  return sums, #parts > 0 and table.concat(parts, ",") or "none"
end

-- wrk's socket errors: requests that got no answer at all
function socket_errors(summary)
  return summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
end
