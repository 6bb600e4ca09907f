-- Copyright (C) The ngx_http_lago_webhook_module authors
-- SPDX-License-Identifier: BSD-2-Clause
--
-- Create: POST /api/v1/webhook_endpoints with a URL no other request uses
-- (https://bench.example/<run tag>/<thread>/<counter>; the run tag is the
-- script's argument), rotating over the organizations' keys, one per line
-- in BENCH_CREATE_KEYS_FILE, so that creates spread over them.
--
-- Each 200's body is written, one per line, to a file of the thread's own,
-- <BENCH_ACKED_FILE>.<run tag>.<thread>, so that the run can check that
-- every acknowledged create left exactly one record.  Writing it out
-- through a stdio buffer (flushed when wrk exits) costs the client far
-- less than keeping the bodies in Lua until done(): a growing table of
-- strings that the garbage collector walks again and again took about
-- 5 us of wrk's CPU per create, CPU the server under test then lacked.
dofile((os.getenv("BENCH_DIR") or "bench") .. "/lib.lua")

local keys, tag, n, acked = {}, "run", 0, nil
local headers = { ["Content-Type"] = "application/json" }

function init(args)
    tag = args[1] or tag
    for line in io.lines(os.getenv("BENCH_CREATE_KEYS_FILE")) do
        if line ~= "" then
            keys[#keys + 1] = "Bearer " .. line
        end
    end
    -- threads start on different organizations
    n = (tid - 1) * 7

    local out = os.getenv("BENCH_ACKED_FILE")
    if out and out ~= "" then
        acked = assert(io.open(out .. "." .. tag .. "." .. tid, "w"))
        acked:setvbuf("full", 65536)
    end
end

function request()
    n = n + 1
    headers["Authorization"] = keys[n % #keys + 1]
    return wrk.format("POST", "/api/v1/webhook_endpoints", headers,
        '{"webhook_endpoint":{"webhook_url":"https://bench.example/'
        .. tag .. "/" .. tid .. "/" .. n
        .. '","signature_algo":"hmac"}}')
end

function bench_on_200(body)
    if acked then
        acked:write(body, "\n")
    end
end
