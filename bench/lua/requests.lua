-- wrk script: replays requests from a TSV file (method, path, bearer token, JSON body, If-None-Match;
-- "-" for none),
-- each thread taking every n-th line so no two threads send the same write, and cycling when done.
-- At the end it prints one line "BENCH_JSON {...}" with throughput, latency percentiles and errors.
--   wrk -t2 -c32 -d20s -s bench/lua/requests.lua http://127.0.0.1:PORT -- requests.tsv

local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local lines = {}
local position = 1

local function split(line)
  local fields = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do
    table.insert(fields, field)
  end
  return fields
end

local function load_lines(file, nthreads)
  local index = 0
  for line in io.lines(file) do
    if index % nthreads == id then
      local f = split(line)
      local headers = { ["Accept"] = "application/json", ["Accept-Encoding"] = "gzip" }
      if f[3] ~= "-" then headers["Authorization"] = "Bearer " .. f[3] end
      if f[5] and f[5] ~= "-" then headers["If-None-Match"] = f[5] end
      local body = nil
      if f[4] ~= "-" then
        body = f[4]
        headers["Content-Type"] = "application/json"
      end
      table.insert(lines, wrk.format(f[1], f[2], headers, body))
    end
    index = index + 1
  end
end

function init(args)
  load_lines(args[1], tonumber(os.getenv("BENCH_THREADS") or "1"))
  if #lines == 0 then
    -- Fewer lines than threads (a single URL): every thread replays all of them.
    id = 0
    load_lines(args[1], 1)
  end
end

function request()
  local r = lines[position]
  position = position % #lines + 1
  return r
end

function done(summary, latency, requests)
  -- errors.status counts responses that were not 2xx/3xx (no response() hook: it would slow wrk down).
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"duration_us": %d, "requests": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"max_us": %d, "connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}\n',
    summary.duration, summary.requests, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
