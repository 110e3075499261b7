-- wrk script: count every answer by status, exactly, across all threads, and
-- print the counts and wrk's own error counters as one JSON line at the end:
-- {"statuses":{"200":N,...},"requests":N,"errors":{"connect":N,...}}
local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   statuses = {}
end

function response(status, headers, body)
   statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
   local total = {}
   for _, thread in ipairs(threads) do
      for status, n in pairs(thread:get("statuses")) do
         total[status] = (total[status] or 0) + n
      end
   end
   local parts = {}
   for status, n in pairs(total) do
      table.insert(parts, string.format('"%d":%d', status, n))
   end
   local e = summary.errors
   io.write(string.format('{"statuses":{%s},"requests":%d,"errors":{"connect":%d,"read":%d,'
                          .. '"write":%d,"status":%d,"timeout":%d},"p99_ms":%.1f}\n',
                          table.concat(parts, ","), summary.requests, e.connect, e.read,
                          e.write, e.status, e.timeout, latency:percentile(99) / 1000))
end
