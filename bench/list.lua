-- Copyright (C) The ngx_http_lago_webhook_module authors
-- SPDX-License-Identifier: BSD-2-Clause
--
-- List: GET /api/v1/webhook_endpoints for the seeded organization (its 10
-- endpoints, one page).
dofile((os.getenv("BENCH_DIR") or "bench") .. "/lib.lua")

wrk.method = "GET"
wrk.path = "/api/v1/webhook_endpoints"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_KEY")
