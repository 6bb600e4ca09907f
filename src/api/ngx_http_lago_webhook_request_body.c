
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * The location's client_max_body_size is taken over from nginx (see the
 * configuration merge), so that a body over it gets Lago's JSON 413
 * instead of nginx's HTML page: at once when its Content-Length says so,
 * and as soon as a chunked body passes it.  Nothing of such a body is
 * kept; what the client goes on sending is read and dropped by nginx's
 * lingering close, as for its own 413.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_lago_webhook.h"
#include "ngx_http_lago_webhook_exit.h"
#include "ngx_http_lago_webhook_output.h"
#include "ngx_http_lago_webhook_request_body.h"


static void ngx_http_lago_webhook_body_read(ngx_http_request_t *r);
static void ngx_http_lago_webhook_body_too_large(ngx_http_request_t *r);
static ngx_int_t ngx_http_lago_webhook_body_collect(ngx_http_request_t *r,
    ngx_str_t *body);


ngx_http_request_body_filter_pt  ngx_http_lago_webhook_next_request_body_filter;


ngx_int_t
ngx_http_lago_webhook_read_body(ngx_http_request_t *r,
    ngx_http_lago_webhook_body_ready_pt ready)
{
    ngx_int_t                          rc;
    ngx_http_lago_webhook_ctx_t       *ctx;
    ngx_http_lago_webhook_loc_conf_t  *llcf;

    ctx = ngx_http_get_module_ctx(r, ngx_http_lago_webhook_module);
    llcf = ngx_http_get_module_loc_conf(r, ngx_http_lago_webhook_module);

    if (llcf->max_body_size
        && r->headers_in.content_length_n > llcf->max_body_size)
    {
        ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "lago_webhook: body of %O bytes is over the limit",
                       r->headers_in.content_length_n);

        return ngx_http_lago_webhook_send_error(r,
                                       NGX_HTTP_LAGO_WEBHOOK_ERR_TOO_LARGE);
    }

    ctx->body_ready = ready;
    ctx->reading_body = 1;

    rc = ngx_http_read_client_request_body(r,
                                           ngx_http_lago_webhook_body_read);

    if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
        ctx->reading_body = 0;
        return rc;
    }

    /*
     * The body read counted itself in on the request (r->main->count),
     * and holds it from now on: the hold of the step that called us
     * (see the handler) is given back.
     */

    ngx_http_finalize_request(r, NGX_DONE);

    return NGX_DONE;
}


static void
ngx_http_lago_webhook_body_read(ngx_http_request_t *r)
{
    ngx_int_t                     rc;
    ngx_http_lago_webhook_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_lago_webhook_module);

    ctx->reading_body = 0;

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "lago_webhook: body read, %O bytes", ctx->body_received);

    rc = ngx_http_lago_webhook_body_collect(r, &ctx->body);

    if (rc == NGX_OK) {
        rc = ctx->body_ready(r);
    }

    ngx_http_lago_webhook_finish(r, rc);
}


/*
 * Counts a create or update body as nginx reads it.  The first byte past
 * the limit stops the reading: what was kept is dropped, and the 413 is
 * sent from a posted request, once nginx's body reading has returned.
 */

ngx_int_t
ngx_http_lago_webhook_request_body_filter(ngx_http_request_t *r,
    ngx_chain_t *in)
{
    ngx_chain_t                       *cl;
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

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "lago_webhook: body over the limit after %O bytes",
                   ctx->body_received);

    ctx->reading_body = 0;
    ctx->too_large = 1;

    /*
     * Those buffers point into the read buffer, which nginx reuses only
     * once they are consumed.
     */

    for (cl = in; cl; cl = cl->next) {
        cl->buf->pos = cl->buf->last;
    }

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        cl->buf->pos = cl->buf->last;
    }

    r->request_body->bufs = NULL;

    r->write_event_handler = ngx_http_lago_webhook_body_too_large;

    if (ngx_http_post_request(r, NULL) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* nginx's body reading stops here: neither done nor an error */

    return NGX_AGAIN;
}


static void
ngx_http_lago_webhook_body_too_large(ngx_http_request_t *r)
{
    ngx_http_lago_webhook_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_lago_webhook_module);

    /* a write event may come first: the posted request then finds nothing */

    if (!ctx->too_large) {
        return;
    }

    ctx->too_large = 0;
    r->write_event_handler = ngx_http_request_empty_handler;

    /* the rest of the body is read and dropped by the lingering close */

    r->keepalive = 0;
    r->lingering_close = 1;

    ngx_http_lago_webhook_finish(r, ngx_http_lago_webhook_send_error(r,
                                      NGX_HTTP_LAGO_WEBHOOK_ERR_TOO_LARGE));
}


/*
 * The body in one piece of memory, whether nginx kept it in buffers or
 * spooled it to a temporary file.
 */

static ngx_int_t
ngx_http_lago_webhook_body_collect(ngx_http_request_t *r, ngx_str_t *body)
{
    u_char       *p;
    off_t         len;
    ssize_t       n;
    ngx_buf_t    *b;
    ngx_chain_t  *cl;

    body->len = 0;

    if (r->request_body == NULL || r->request_body->bufs == NULL) {
        return NGX_OK;
    }

    len = 0;

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        len += ngx_buf_size(cl->buf);
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
