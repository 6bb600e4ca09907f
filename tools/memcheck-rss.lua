-- Copyright (C) The ngx_http_lago_webhook_module authors
-- SPDX-License-Identifier: BSD-2-Clause
--
-- wrk script for tools/memcheck-rss: a steady mix of the API's requests,
-- successes and 4xx, that keeps the store's size bounded (every endpoint
-- created is deleted again), so that worker memory should stay flat.
--
-- Environment (set by tools/memcheck-rss):
--   RSS_KEY       API key of the organization (all permissions)
--   RSS_RO_KEY    a read-only key of the same organization (for the 403s)
--   RSS_TAG       makes the created URLs unique to this run
--
-- Every thread cycles through STEPS.  Ids of endpoints it created are kept
-- in a pool; show and update use one of them, delete takes one out.  A
-- thread that has none yet creates instead.

local key, ro_key, tag = "", "", "rss"
local n, step = 0, 0
local pool, live, dead = {}, {}, {}
local json = { ["Content-Type"] = "application/json" }

status = {}

local threads = {}

function setup(thread)
    thread:set("tid", #threads + 1)
    table.insert(threads, thread)
end

function init(args)
    key = "Bearer " .. (os.getenv("RSS_KEY") or "")
    ro_key = "Bearer " .. (os.getenv("RSS_RO_KEY") or "")
    tag = os.getenv("RSS_TAG") or tag
end

local function hdr(auth, body)
    local h = {}
    if auth then
        h["Authorization"] = auth
    end
    if body then
        h["Content-Type"] = json["Content-Type"]
    end
    return h
end

local function create()
    n = n + 1
    return wrk.format("POST", "/api/v1/webhook_endpoints", hdr(key, true),
        '{"webhook_endpoint":{"webhook_url":"https://rss.example/' .. tag
        .. "/" .. tid .. "/" .. n .. '","signature_algo":"hmac",'
        .. '"name":"rss ' .. n .. '","event_types":["invoice.created",'
        .. '"customer.created"]}}')
end

local function any_id()
    if #pool == 0 then
        return nil
    end
    return pool[math.random(#pool)]
end

local function take_id()
    if #pool == 0 then
        return nil
    end
    local i = math.random(#pool)
    local id = pool[i]
    pool[i] = pool[#pool]
    pool[#pool] = nil
    live[id] = nil
    dead[id] = true
    return id
end

local STEPS = {
    "create", "list", "show", "update", "delete",
    "create", "list_page", "show", "delete",
    "unauthenticated", "bad_json", "missing", "invalid_url", "forbidden",
    "not_found_route", "public_key", "bad_id",
}

local make = {
    create = create,
    list = function()
        return wrk.format("GET", "/api/v1/webhook_endpoints", hdr(key))
    end,
    list_page = function()
        return wrk.format("GET",
            "/api/v1/webhook_endpoints?page=2&per_page=3", hdr(key))
    end,
    show = function()
        local id = any_id()
        if not id then return create() end
        return wrk.format("GET", "/api/v1/webhook_endpoints/" .. id,
            hdr(key))
    end,
    update = function()
        local id = any_id()
        if not id then return create() end
        return wrk.format("PUT", "/api/v1/webhook_endpoints/" .. id,
            hdr(key, true),
            '{"webhook_endpoint":{"signature_algo":"jwt","name":"upd"}}')
    end,
    delete = function()
        local id = take_id()
        if not id then return create() end
        return wrk.format("DELETE", "/api/v1/webhook_endpoints/" .. id,
            hdr(key))
    end,
    unauthenticated = function()                             -- 401
        return wrk.format("GET", "/api/v1/webhook_endpoints")
    end,
    bad_json = function()                                    -- 400
        return wrk.format("POST", "/api/v1/webhook_endpoints",
            hdr(key, true), '{"webhook_endpoint":{"webhook_url":')
    end,
    missing = function()                                     -- 404
        return wrk.format("GET", "/api/v1/webhook_endpoints/"
            .. "00000000-0000-4000-8000-000000000000", hdr(key))
    end,
    invalid_url = function()                                 -- 422
        return wrk.format("POST", "/api/v1/webhook_endpoints",
            hdr(key, true),
            '{"webhook_endpoint":{"webhook_url":"ftp://nope",'
            .. '"event_types":["no.such"]}}')
    end,
    forbidden = function()                                   -- 403
        return wrk.format("POST", "/api/v1/webhook_endpoints",
            hdr(ro_key, true),
            '{"webhook_endpoint":{"webhook_url":"https://ro.example"}}')
    end,
    not_found_route = function()                             -- 404
        return wrk.format("GET", "/api/v1/nothing_here", hdr(key))
    end,
    public_key = function()
        return wrk.format("GET", "/api/v1/webhooks/json_public_key",
            hdr(key))
    end,
    bad_id = function()                                      -- 404
        return wrk.format("DELETE", "/api/v1/webhook_endpoints/not-a-uuid",
            hdr(key))
    end,
}

function request()
    step = step % #STEPS + 1
    return make[STEPS[step]]()
end

function response(st, headers, body)
    status[st] = (status[st] or 0) + 1

    -- a create (or a show, or an update) of one of our endpoints
    if st == 200 then
        local id = string.match(body,
            '^{"webhook_endpoint":{"lago_id":"([0-9a-f-]+)"')
        if id and not live[id] and not dead[id] then
            live[id] = true
            pool[#pool + 1] = id
        end
    end
end

function done(summary, latency, requests)
    local total = {}
    for _, thread in ipairs(threads) do
        for st, c in pairs(thread:get("status") or {}) do
            total[st] = (total[st] or 0) + c
        end
    end

    local codes = {}
    for st in pairs(total) do
        codes[#codes + 1] = st
    end
    table.sort(codes)

    local parts = {}
    for _, st in ipairs(codes) do
        parts[#parts + 1] = st .. "=" .. total[st]
    end
    io.write("RSS-LOAD requests=", summary.requests,
             " errors=", summary.errors.connect + summary.errors.read
                         + summary.errors.write + summary.errors.timeout,
             " statuses ", table.concat(parts, " "), "\n")
end
