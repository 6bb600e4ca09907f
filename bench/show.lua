-- Copyright (C) The ngx_http_lago_webhook_module authors
-- SPDX-License-Identifier: BSD-2-Clause
--
-- Show: GET /api/v1/webhook_endpoints/<lago_id>, rotating over the seeded
-- organization's endpoints (BENCH_SHOW_IDS, comma-separated).
dofile((os.getenv("BENCH_DIR") or "bench") .. "/lib.lua")

local ids = {}
for id in string.gmatch(os.getenv("BENCH_SHOW_IDS") or "", "[^,]+") do
    ids[#ids + 1] = id
end

local headers = { ["Authorization"] = "Bearer " .. os.getenv("BENCH_KEY") }
local n = 0

function request()
    n = n + 1
    return wrk.format("GET", "/api/v1/webhook_endpoints/" .. ids[n % #ids + 1],
                      headers)
end
