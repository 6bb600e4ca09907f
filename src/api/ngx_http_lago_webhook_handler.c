
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
#include "lago_webhook_request.h"
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
 * Lago's routes under /api/v1 (lago_webhook_route()); an id that is not
 * a UUID leaves ctx->id empty.
 */

static ngx_int_t
ngx_http_lago_webhook_route(ngx_http_request_t *r,
    ngx_http_lago_webhook_ctx_t *ctx)
{
    size_t                 id_len;
    ngx_uint_t             method;
    const u_char          *id;
    lago_webhook_route_e   route;

    ctx->action = (ngx_http_lago_webhook_action_e)
                  NGX_HTTP_LAGO_WEBHOOK_ROUTE_NONE;

    method = 0;

    if (r->method & NGX_HTTP_GET) {
        method |= LAGO_WEBHOOK_METHOD_GET;
    }

    if (r->method & NGX_HTTP_HEAD) {
        method |= LAGO_WEBHOOK_METHOD_HEAD;
    }

    if (r->method & NGX_HTTP_POST) {
        method |= LAGO_WEBHOOK_METHOD_POST;
    }

    if (r->method & NGX_HTTP_PUT) {
        method |= LAGO_WEBHOOK_METHOD_PUT;
    }

    if (r->method & NGX_HTTP_PATCH) {
        method |= LAGO_WEBHOOK_METHOD_PATCH;
    }

    if (r->method & NGX_HTTP_DELETE) {
        method |= LAGO_WEBHOOK_METHOD_DELETE;
    }

    if (r->method & ~(NGX_HTTP_GET|NGX_HTTP_HEAD|NGX_HTTP_POST|NGX_HTTP_PUT
                      |NGX_HTTP_PATCH|NGX_HTTP_DELETE))
    {
        method |= LAGO_WEBHOOK_METHOD_OTHER;
    }

    id = NULL;
    id_len = 0;

    route = lago_webhook_route(r->uri.data, r->uri.len, method, &id,
                               &id_len);

    switch (route) {

    case LAGO_WEBHOOK_ROUTE_CREATE:
        ctx->action = NGX_HTTP_LAGO_WEBHOOK_CREATE;
        return NGX_OK;

    case LAGO_WEBHOOK_ROUTE_LIST:
        ctx->action = NGX_HTTP_LAGO_WEBHOOK_LIST;
        return NGX_OK;

    case LAGO_WEBHOOK_ROUTE_PUBLIC_KEY:
        ctx->action = NGX_HTTP_LAGO_WEBHOOK_PUBLIC_KEY;
        return NGX_OK;

    case LAGO_WEBHOOK_ROUTE_JSON_PUBLIC_KEY:
        ctx->action = NGX_HTTP_LAGO_WEBHOOK_JSON_PUBLIC_KEY;
        return NGX_OK;

    case LAGO_WEBHOOK_ROUTE_SHOW:
        ctx->action = NGX_HTTP_LAGO_WEBHOOK_SHOW;
        break;

    case LAGO_WEBHOOK_ROUTE_UPDATE:
        ctx->action = NGX_HTTP_LAGO_WEBHOOK_UPDATE;
        break;

    case LAGO_WEBHOOK_ROUTE_DELETE:
        ctx->action = NGX_HTTP_LAGO_WEBHOOK_DELETE;
        break;

    default: /* LAGO_WEBHOOK_ROUTE_NONE */
        return NGX_HTTP_LAGO_WEBHOOK_ROUTE_NONE;
    }

    /* not a UUID: the same 404 as an unknown one, after the key check */

    if (lago_webhook_uuid_normalize(ctx->id_buf, id, id_len) == 0) {
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
    size_t         len;
    const u_char  *start;

    if (r->headers_in.authorization == NULL) {
        return NGX_DECLINED;
    }

    if (lago_webhook_bearer(r->headers_in.authorization->value.data,
                            r->headers_in.authorization->value.len,
                            &start, &len)
        != 0)
    {
        return NGX_DECLINED;
    }

    key->data = (u_char *) start;
    key->len = len;

    return NGX_OK;
}
