
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * A request meets this file first and last.  The handler routes it
 * (an unknown route needs no key), takes the API key from its headers,
 * reads the body of a create or update, and hands it to authentication
 * (ngx_http_lago_webhook_auth.c), which hands it to its action
 * (ngx_http_lago_webhook_actions.c).  Whatever the store answers, the
 * request ends in ngx_http_lago_webhook_finish().
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_lago_webhook.h"
#include "ngx_http_lago_webhook_handler.h"
#include "ngx_http_lago_webhook_auth.h"
#include "ngx_http_lago_webhook_output.h"
#include "lago_webhook_uuid.h"


#define NGX_HTTP_LAGO_WEBHOOK_ROUTE_NONE  ((ngx_int_t) -1)


static ngx_int_t ngx_http_lago_webhook_route(ngx_http_request_t *r,
    ngx_http_lago_webhook_ctx_t *ctx);
static ngx_int_t ngx_http_lago_webhook_bearer(ngx_http_request_t *r,
    ngx_str_t *key);
static void ngx_http_lago_webhook_body_read(ngx_http_request_t *r);
static ngx_int_t ngx_http_lago_webhook_body_collect(ngx_http_request_t *r,
    ngx_str_t *body);


ngx_http_request_body_filter_pt  ngx_http_lago_webhook_next_request_body_filter;


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
    ngx_int_t                     rc;
    ngx_str_t                     key;
    ngx_http_lago_webhook_ctx_t  *ctx;

    ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_lago_webhook_ctx_t));
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_set_ctx(r, ctx, ngx_http_lago_webhook_module);

    /* route -> key -> body: an unknown route needs no key */

    if (ngx_http_lago_webhook_route(r, ctx) == NGX_HTTP_LAGO_WEBHOOK_ROUTE_NONE
        || ngx_http_lago_webhook_bearer(r, &key) != NGX_OK)
    {
        rc = ngx_http_discard_request_body(r);
        if (rc != NGX_OK) {
            return rc;
        }

        return ngx_http_lago_webhook_send_error(r,
                   ctx->action == (ngx_http_lago_webhook_action_e)
                                  NGX_HTTP_LAGO_WEBHOOK_ROUTE_NONE
                   ? NGX_HTTP_LAGO_WEBHOOK_ERR_NO_ROUTE
                   : NGX_HTTP_LAGO_WEBHOOK_ERR_UNAUTHORIZED);
    }

    ctx->api_key = key;

    if (ctx->action == NGX_HTTP_LAGO_WEBHOOK_CREATE
        || ctx->action == NGX_HTTP_LAGO_WEBHOOK_UPDATE)
    {
        /*
         * Read even a body over the limit (the body filter below keeps
         * none of it past the limit): the key is checked first, and only
         * then is the body too large.
         */

        ctx->reading_body = 1;

        rc = ngx_http_read_client_request_body(r,
                                             ngx_http_lago_webhook_body_read);

        if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
            return rc;
        }

        return NGX_DONE;
    }

    rc = ngx_http_discard_request_body(r);
    if (rc != NGX_OK) {
        return rc;
    }

    rc = ngx_http_lago_webhook_authenticate(r);

    if (rc == NGX_DONE) {
        r->main->count++;
    }

    return rc;
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


static void
ngx_http_lago_webhook_body_read(ngx_http_request_t *r)
{
    ngx_int_t                     rc;
    ngx_http_lago_webhook_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_lago_webhook_module);

    ctx->reading_body = 0;

    rc = ngx_http_lago_webhook_body_collect(r, &ctx->body);

    if (rc == NGX_DECLINED) {
        /* answered after the key check, by create or update */
        ctx->too_large = 1;
        rc = NGX_OK;
    }

    if (rc == NGX_OK) {
        rc = ngx_http_lago_webhook_authenticate(r);
    }

    ngx_http_lago_webhook_finish(r, rc);
}


/*
 * Counts a create or update body as nginx reads it.  Past the limit
 * (client_max_body_size, taken over from nginx) the data is consumed and
 * dropped, only the end-of-body mark goes on: a body of any size, chunked
 * or not, costs no memory or disk beyond the limit, and the request then
 * gets the JSON 413 once its key is checked.
 */

ngx_int_t
ngx_http_lago_webhook_request_body_filter(ngx_http_request_t *r,
    ngx_chain_t *in)
{
    ngx_chain_t                       *cl, *out, **ll;
    ngx_http_lago_webhook_ctx_t       *ctx;
    ngx_http_lago_webhook_loc_conf_t  *llcf;

    ctx = ngx_http_get_module_ctx(r, ngx_http_lago_webhook_module);

    if (ctx == NULL || !ctx->reading_body) {
        return ngx_http_lago_webhook_next_request_body_filter(r, in);
    }

    llcf = ngx_http_get_module_loc_conf(r, ngx_http_lago_webhook_module);

    for (cl = in; cl; cl = cl->next) {
        ctx->body_received += ngx_buf_size(cl->buf);
    }

    if (llcf->max_body_size == 0
        || ctx->body_received <= llcf->max_body_size)
    {
        return ngx_http_lago_webhook_next_request_body_filter(r, in);
    }

    if (!ctx->too_large) {
        ctx->too_large = 1;

        /*
         * What was kept so far is dropped too: those buffers point into
         * the read buffer, which nginx reuses only once they are consumed.
         */

        for (cl = r->request_body->bufs; cl; cl = cl->next) {
            cl->buf->pos = cl->buf->last;
        }

        r->request_body->bufs = NULL;
    }

    out = NULL;
    ll = &out;

    for (cl = in; cl; cl = cl->next) {
        cl->buf->pos = cl->buf->last;

        if (cl->buf->last_buf) {
            *ll = ngx_alloc_chain_link(r->pool);
            if (*ll == NULL) {
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }

            (*ll)->buf = cl->buf;
            (*ll)->next = NULL;
            ll = &(*ll)->next;
        }
    }

    if (out == NULL) {
        return NGX_OK;
    }

    return ngx_http_lago_webhook_next_request_body_filter(r, out);
}


/*
 * The body in one piece of memory, whether nginx kept it in buffers or
 * spooled it to a temporary file.  NGX_DECLINED: over the size limit
 * (a chunked body has no length to check up front).
 */

static ngx_int_t
ngx_http_lago_webhook_body_collect(ngx_http_request_t *r, ngx_str_t *body)
{
    u_char                            *p;
    off_t                              len;
    ssize_t                            n;
    ngx_buf_t                         *b;
    ngx_chain_t                       *cl;
    ngx_http_lago_webhook_ctx_t       *ctx;
    ngx_http_lago_webhook_loc_conf_t  *llcf;

    llcf = ngx_http_get_module_loc_conf(r, ngx_http_lago_webhook_module);
    ctx = ngx_http_get_module_ctx(r, ngx_http_lago_webhook_module);

    body->len = 0;

    if (ctx->too_large) {
        return NGX_DECLINED;
    }

    if (r->request_body == NULL || r->request_body->bufs == NULL) {
        return NGX_OK;
    }

    len = 0;

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        len += ngx_buf_size(cl->buf);
    }

    if (llcf->max_body_size && len > llcf->max_body_size) {
        return NGX_DECLINED;
    }

    if (len == 0) {
        return NGX_OK;
    }

    body->data = ngx_pnalloc(r->pool, (size_t) len);
    if (body->data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p = body->data;

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        b = cl->buf;

        if (b->in_file) {
            n = ngx_read_file(b->file, p, (size_t) (b->file_last
                                                    - b->file_pos),
                              b->file_pos);

            if (n != b->file_last - b->file_pos) {
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }

            p += n;
            continue;
        }

        p = ngx_cpymem(p, b->pos, b->last - b->pos);
    }

    body->len = p - body->data;

    return NGX_OK;
}


ngx_int_t
ngx_http_lago_webhook_waiting(ngx_http_request_t *r, ngx_int_t rc)
{
    if (rc == NGX_OK) {
        return NGX_DONE;
    }

    if (rc == NGX_DECLINED) {
        return ngx_http_lago_webhook_send_error(r,
                                       NGX_HTTP_LAGO_WEBHOOK_ERR_UNAVAILABLE);
    }

    return ngx_http_lago_webhook_send_error(r,
                                       NGX_HTTP_LAGO_WEBHOOK_ERR_INTERNAL);
}


void
ngx_http_lago_webhook_finish(ngx_http_request_t *r, ngx_int_t rc)
{
    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "lago_webhook: finish: %i", rc);

    if (rc == NGX_DONE) {
        return;
    }

    ngx_http_finalize_request(r, rc);
}


void
ngx_http_lago_webhook_store_failed(ngx_http_request_t *r,
    ngx_http_lago_webhook_store_failure_e failure)
{
    ngx_http_lago_webhook_finish(r, ngx_http_lago_webhook_send_error(r,
                        failure == NGX_HTTP_LAGO_WEBHOOK_STORE_UNAVAILABLE
                        ? NGX_HTTP_LAGO_WEBHOOK_ERR_UNAVAILABLE
                        : NGX_HTTP_LAGO_WEBHOOK_ERR_INTERNAL));
}
