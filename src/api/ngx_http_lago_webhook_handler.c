
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * A request meets this file first and last.  The handler routes it
 * (an unknown route needs no key) and takes the API key from its
 * headers; authentication (ngx_http_lago_webhook_auth.c) hands it to its
 * action (ngx_http_lago_webhook_actions.c), which reads the body of a
 * create or update only then.  Whatever the store answers, the request
 * ends in ngx_http_lago_webhook_finish() (ngx_http_lago_webhook_exit.c).
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_lago_webhook.h"
#include "ngx_http_lago_webhook_handler.h"
#include "ngx_http_lago_webhook_auth.h"
#include "ngx_http_lago_webhook_exit.h"
#include "ngx_http_lago_webhook_output.h"
#include "lago_webhook_uuid.h"


#define NGX_HTTP_LAGO_WEBHOOK_ROUTE_NONE  ((ngx_int_t) -1)


static ngx_int_t ngx_http_lago_webhook_route(ngx_http_request_t *r,
    ngx_http_lago_webhook_ctx_t *ctx);
static ngx_int_t ngx_http_lago_webhook_bearer(ngx_http_request_t *r,
    ngx_str_t *key);


#if (NGX_DEBUG)

/* indexed by ngx_http_lago_webhook_action_e, for the debug log */
static const char  *ngx_http_lago_webhook_action_names[] = {
    "create", "list", "show", "update", "delete", "public_key",
    "json_public_key"
};

#endif


ngx_int_t
ngx_http_lago_webhook_handler(ngx_http_request_t *r)
{
    ngx_str_t                     key;
    ngx_http_lago_webhook_ctx_t  *ctx;

    ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_lago_webhook_ctx_t));
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_set_ctx(r, ctx, ngx_http_lago_webhook_module);

    /* route -> key -> body: an unknown route needs no key */

    if (ngx_http_lago_webhook_route(r, ctx) == NGX_HTTP_LAGO_WEBHOOK_ROUTE_NONE)
    {
        return ngx_http_lago_webhook_send_error(r,
                                       NGX_HTTP_LAGO_WEBHOOK_ERR_NO_ROUTE);
    }

    if (ngx_http_lago_webhook_bearer(r, &key) != NGX_OK) {
        return ngx_http_lago_webhook_send_error(r,
                                       NGX_HTTP_LAGO_WEBHOOK_ERR_UNAUTHORIZED);
    }

    ctx->api_key = key;

    /*
     * The key lookup, and then the body of a create or update, take their
     * time: the request is held until its answer, which always goes
     * through ngx_http_lago_webhook_finish().
     */

    r->main->count++;

    ngx_http_lago_webhook_finish(r, ngx_http_lago_webhook_authenticate(r));

    return NGX_DONE;
}


/*
 * Lago's routes under /api/v1.  Rails ignores trailing slashes and takes
 * ".json" as the format, so both reach the same action.
 */

static ngx_int_t
ngx_http_lago_webhook_route(ngx_http_request_t *r,
    ngx_http_lago_webhook_ctx_t *ctx)
{
    u_char     *p, *last, *slash;
    ngx_str_t   path, id;

    static ngx_str_t  collection = ngx_string("webhook_endpoints");
    static ngx_str_t  prefix = ngx_string("/api/v1/");

    ctx->action = (ngx_http_lago_webhook_action_e)
                  NGX_HTTP_LAGO_WEBHOOK_ROUTE_NONE;

    p = r->uri.data;
    last = p + r->uri.len;

    while (last > p && last[-1] == '/') {
        last--;
    }

    if ((size_t) (last - p) > 5 && ngx_strncmp(last - 5, ".json", 5) == 0) {
        last -= 5;
    }

    if ((size_t) (last - p) < prefix.len
        || ngx_strncmp(p, prefix.data, prefix.len) != 0)
    {
        return NGX_HTTP_LAGO_WEBHOOK_ROUTE_NONE;
    }

    path.data = p + prefix.len;
    path.len = last - path.data;

    if (path.len == sizeof("webhooks/public_key") - 1
        && ngx_strncmp(path.data, "webhooks/public_key", path.len) == 0)
    {
        if (r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD)) {
            ctx->action = NGX_HTTP_LAGO_WEBHOOK_PUBLIC_KEY;
            return NGX_OK;
        }

        return NGX_HTTP_LAGO_WEBHOOK_ROUTE_NONE;
    }

    if (path.len == sizeof("webhooks/json_public_key") - 1
        && ngx_strncmp(path.data, "webhooks/json_public_key", path.len) == 0)
    {
        if (r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD)) {
            ctx->action = NGX_HTTP_LAGO_WEBHOOK_JSON_PUBLIC_KEY;
            return NGX_OK;
        }

        return NGX_HTTP_LAGO_WEBHOOK_ROUTE_NONE;
    }

    if (path.len < collection.len
        || ngx_strncmp(path.data, collection.data, collection.len) != 0)
    {
        return NGX_HTTP_LAGO_WEBHOOK_ROUTE_NONE;
    }

    if (path.len == collection.len) {

        if (r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD)) {
            ctx->action = NGX_HTTP_LAGO_WEBHOOK_LIST;
            return NGX_OK;
        }

        if (r->method == NGX_HTTP_POST) {
            ctx->action = NGX_HTTP_LAGO_WEBHOOK_CREATE;
            return NGX_OK;
        }

        return NGX_HTTP_LAGO_WEBHOOK_ROUTE_NONE;
    }

    if (path.data[collection.len] != '/') {
        return NGX_HTTP_LAGO_WEBHOOK_ROUTE_NONE;
    }

    id.data = path.data + collection.len + 1;
    id.len = last - id.data;

    slash = ngx_strlchr(id.data, last, '/');

    if (id.len == 0 || slash != NULL) {
        return NGX_HTTP_LAGO_WEBHOOK_ROUTE_NONE;
    }

    if (r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD)) {
        ctx->action = NGX_HTTP_LAGO_WEBHOOK_SHOW;

    } else if (r->method & (NGX_HTTP_PUT|NGX_HTTP_PATCH)) {
        ctx->action = NGX_HTTP_LAGO_WEBHOOK_UPDATE;

    } else if (r->method == NGX_HTTP_DELETE) {
        ctx->action = NGX_HTTP_LAGO_WEBHOOK_DELETE;

    } else {
        return NGX_HTTP_LAGO_WEBHOOK_ROUTE_NONE;
    }

    /* not a UUID: the same 404 as an unknown one, after the key check */

    if (lago_webhook_uuid_normalize(ctx->id_buf, id.data, id.len) == 0) {
        ctx->id.data = ctx->id_buf;
        ctx->id.len = LAGO_WEBHOOK_UUID_LEN;
    }

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "lago_webhook: route \"%V\": %s", &r->uri,
                   ngx_http_lago_webhook_action_names[ctx->action]);

    return NGX_OK;
}


/* Lago takes the second word of the header and ignores the first */

static ngx_int_t
ngx_http_lago_webhook_bearer(ngx_http_request_t *r, ngx_str_t *key)
{
    u_char  *p, *last, *start;

    if (r->headers_in.authorization == NULL) {
        return NGX_DECLINED;
    }

    p = r->headers_in.authorization->value.data;
    last = p + r->headers_in.authorization->value.len;

    while (p < last && (*p == ' ' || *p == '\t')) {
        p++;
    }

    while (p < last && *p != ' ' && *p != '\t') {
        p++;
    }

    while (p < last && (*p == ' ' || *p == '\t')) {
        p++;
    }

    start = p;

    while (p < last && *p != ' ' && *p != '\t') {
        p++;
    }

    if (p == start) {
        return NGX_DECLINED;
    }

    key->data = start;
    key->len = p - start;

    return NGX_OK;
}
