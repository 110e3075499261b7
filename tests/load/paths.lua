-- paths.lua: wrk script of `make bench` (tests/load/bench.py).
-- BENCH_PATHS: the request paths, separated by spaces, sent in turn (a mix is
-- written as its paths in proportion). done() prints one line,
-- "BENCH {json}", with the figures bench.py reads.
local paths = {}
for p in string.gmatch(os.getenv("BENCH_PATHS") or "/health", "%S+") do
  paths[#paths + 1] = p
end
local i = 0
-- Every load but BENCH_CACHED=1 skips nginx's response cache (bench.py adds
-- the header to its bypass), so that it measures the worker path.
local headers = {["X-Bench-Nocache"] = "1"}
if os.getenv("BENCH_CACHED") == "1" then
  headers = {}
end

-- BENCH_PAUSE_MS: a pause after every answer before the connection's next
-- request (the equal-load runs); 0 or unset, none.
local pause = tonumber(os.getenv("BENCH_PAUSE_MS") or "0") or 0
if pause > 0 then
  delay = function()
    return pause
  end
end

-- BENCH_RANGE and BENCH_SIZE (bytes): every request asks for a range of
-- BENCH_RANGE bytes of a file of BENCH_SIZE, at offsets spread over it (a
-- player seeking); unset, whole answers.
local range = tonumber(os.getenv("BENCH_RANGE") or "0") or 0
local size = tonumber(os.getenv("BENCH_SIZE") or "0") or 0
local slots = range > 0 and math.max(1, math.floor(size / range)) or 0

-- wrk's own CPU is taken from the same machine as the servers it measures,
-- so a request costs it as little Lua as it can: one path and no ranges is
-- wrk's static request (no Lua per request at all); several are formatted
-- once, in init, and handed out in turn; only ranges are formatted per
-- request.
if #paths == 1 and slots == 0 then
  wrk.path = paths[1]
  wrk.headers = headers
else
  local formatted = {}
  local n = #paths
  -- In init, not here: wrk sets the Host header (wrk.headers.Host) after
  -- loading the script, and wrk.format takes it from there.
  init = function()
    for k, p in ipairs(paths) do
      formatted[k] = wrk.format("GET", p, headers)
    end
  end
  request = function()
    i = i + 1
    if slots > 0 then
      local from = ((i * 7919) % slots) * range
      headers["Range"] = string.format("bytes=%d-%d", from, from + range - 1)
      return wrk.format("GET", paths[(i - 1) % n + 1], headers)
    end
    return formatted[(i - 1) % n + 1]
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"duration_us":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,' ..
    '"max_us":%d,"connect_errors":%d,"read_errors":%d,"write_errors":%d,' ..
    '"timeouts":%d,"status_errors":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.timeout, e.status))
end
