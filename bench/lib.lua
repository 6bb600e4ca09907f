-- Copyright (C) The ngx_http_lago_webhook_module authors
-- SPDX-License-Identifier: BSD-2-Clause
--
-- Shared by the bench's wrk scripts: per-thread status counters and one
-- machine-readable line at the end of the run.
--
-- wrk gives every thread a Lua state of its own; setup() runs in the main
-- state once per thread and keeps the thread objects, so done() (main
-- state again) can read each thread's counters with thread:get().
--
--   BENCH ... requests=N duration_us=N rps=F p50_us=N p99_us=N
--             s2xx=N non2xx=N ok200=N errors=N timeouts=N
--
-- A script that sets bench_on_200 (a function of the response body) has it
-- called for each 200.

local threads = {}

function setup(thread)
    thread:set("tid", #threads + 1)
    table.insert(threads, thread)
end

s2xx, non2xx, ok200 = 0, 0, 0

function response(status, headers, body)
    if status >= 200 and status < 300 then
        s2xx = s2xx + 1
        if status == 200 then
            ok200 = ok200 + 1
            if bench_on_200 then
                bench_on_200(body)
            end
        end
    else
        non2xx = non2xx + 1
    end
end

function done(summary, latency, requests)
    local t2xx, tnon, t200 = 0, 0, 0

    for _, thread in ipairs(threads) do
        t2xx = t2xx + thread:get("s2xx")
        tnon = tnon + thread:get("non2xx")
        t200 = t200 + thread:get("ok200")
    end

    local e = summary.errors
    io.write(string.format(
        "BENCH requests=%d duration_us=%d rps=%.1f p50_us=%d p99_us=%d "
        .. "s2xx=%d non2xx=%d ok200=%d errors=%d timeouts=%d\n",
        summary.requests, summary.duration,
        summary.requests / (summary.duration / 1e6),
        latency:percentile(50), latency:percentile(99),
        t2xx, tnon, t200, e.connect + e.read + e.write, e.timeout))
end
