-- Copyright (C) The ngx_http_lago_webhook_module authors
-- SPDX-License-Identifier: BSD-2-Clause
--
-- The ceiling: GET /ceiling, answered by nginx's `return 200` with a body
-- the size of a create response; nothing else to do.
dofile((os.getenv("BENCH_DIR") or "bench") .. "/lib.lua")

wrk.method = "GET"
wrk.path = "/ceiling"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("BENCH_KEY") or "")
