-- wrk script for scripts/bench/run.mjs: POSTs webhook bodies carrying a sequence number and the
-- wall-clock send time (ms), so the mock Slack can measure webhook-to-connector latency.
-- Environment: BENCH_SEQ_START (first sequence number), BENCH_COUNT (stop after this many
-- webhooks; 0 = until wrk's duration ends). wrk's LuaJIT reads the clock through ffi.
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clk_id, bench_timespec *tp);
]]
local ts = ffi.new("bench_timespec")
local function now_ms()
  ffi.C.clock_gettime(0, ts) -- CLOCK_REALTIME, the clock of performance.timeOrigin + now()
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local first = tonumber(os.getenv("BENCH_SEQ_START") or "0")
local seq = first
local last = first + tonumber(os.getenv("BENCH_COUNT") or "0")
local limited = last > seq
local headers = { ["Content-Type"] = "application/json" }

local calls = 0

function request()
  calls = calls + 1
  -- wrk 4.1 builds one request per thread that is never sent (seen here: the first sequence
  -- number never reached the server); spend that one on a request that starts nothing.
  if calls == 1 or (limited and seq >= last) then
    -- Past the count, connections stay busy with a request that starts no execution.
    return wrk.format("GET", "/health")
  end
  local n = seq
  seq = seq + 1
  local body = string.format('{"user":{"name":"Alex"},"order":{"id":%d},"seq":%d,"sentAt":%.3f}', n, n, now_ms())
  return wrk.format("POST", nil, headers, body)
end

local accepted, failed = 0, 0

function response(status)
  if status == 202 then
    accepted = accepted + 1
  elseif status ~= 200 then
    failed = failed + 1
  end
  if limited and accepted + failed >= last - first then
    wrk.thread:stop()
  end
end

-- One JSON line for run.mjs: requests, duration and latency percentiles (microseconds).
function done(summary, latency)
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"durationUs":%d,"non2xx":%d,"socketErrors":%d,"latencyUs":{"p50":%d,"p99":%d,"max":%d}}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
