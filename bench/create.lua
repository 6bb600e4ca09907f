-- Create: POST /api/v1/webhook_endpoints with a URL no other request uses
-- (https://bench.example/<run tag>/<thread>/<counter>; the run tag is the
-- script's argument), rotating over the organizations' keys, one per line
-- in BENCH_CREATE_KEYS_FILE, so that creates spread over them.
--
-- Each 200's body is kept, and written to BENCH_ACKED_FILE at the end as
-- "<webhook_url> <lago_id>" (see lib.lua), so that the run can check that
-- every acknowledged create left exactly one record.
dofile((os.getenv("BENCH_DIR") or "bench") .. "/lib.lua")

local keys, tag, n = {}, "run", 0
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
end

function request()
    n = n + 1
    headers["Authorization"] = keys[n % #keys + 1]
    return wrk.format("POST", "/api/v1/webhook_endpoints", headers,
        '{"webhook_endpoint":{"webhook_url":"https://bench.example/'
        .. tag .. "/" .. tid .. "/" .. n
        .. '","signature_algo":"hmac"}}')
end

-- Keeping the body costs wrk little while the clock runs; reading the URL
-- and id out of it waits for done(), so the client spends no more CPU per
-- response during the run than the other targets' clients do.
function bench_on_200(body)
    acked[#acked + 1] = body
end

function bench_ack_line(body)
    local url = string.match(body, '"webhook_url":"([^"]*)"')
    local id = string.match(body, '"lago_id":"([^"]*)"')
    return (url or "?") .. " " .. (id or "?")
end
