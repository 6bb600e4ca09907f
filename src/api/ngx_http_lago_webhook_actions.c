
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * Each action reads what it needs (the body, the id, the page), makes
 * one store call, and writes the store's answer out in Lago's JSON from
 * that call's handler, which ends the request.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_lago_webhook.h"
#include "ngx_http_lago_webhook_actions.h"
#include "ngx_http_lago_webhook_body.h"
#include "ngx_http_lago_webhook_exit.h"
#include "ngx_http_lago_webhook_output.h"
#include "ngx_http_lago_webhook_public_key.h"
#include "ngx_http_lago_webhook_request_body.h"
#include "ngx_http_lago_webhook_store.h"
#include "lago_webhook_request.h"
#include "lago_webhook_uuid.h"


static ngx_int_t ngx_http_lago_webhook_create(ngx_http_request_t *r);
static ngx_int_t ngx_http_lago_webhook_update(ngx_http_request_t *r);
static ngx_int_t ngx_http_lago_webhook_list(ngx_http_request_t *r,
    ngx_http_lago_webhook_ctx_t *ctx);
static void ngx_http_lago_webhook_written(ngx_http_request_t *r,
    ngx_http_lago_webhook_store_write_t *res);
static void ngx_http_lago_webhook_shown(ngx_http_request_t *r,
    ngx_http_lago_webhook_record_t *rec);
static void ngx_http_lago_webhook_listed(ngx_http_request_t *r,
    ngx_http_lago_webhook_store_page_t *page);
static ngx_http_lago_webhook_error_e ngx_http_lago_webhook_parse_body(
    ngx_http_request_t *r, ngx_http_lago_webhook_ctx_t *ctx,
    ngx_uint_t create);
static ngx_int_t ngx_http_lago_webhook_page_arg(ngx_http_request_t *r,
    char *name, ngx_int_t absent, ngx_int_t invalid, ngx_uint_t per_page);


ngx_int_t
ngx_http_lago_webhook_run_action(ngx_http_request_t *r)
{
    ngx_int_t                     rc;
    ngx_http_lago_webhook_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_lago_webhook_module);

    switch (ctx->action) {

    case NGX_HTTP_LAGO_WEBHOOK_CREATE:
        return ngx_http_lago_webhook_read_body(r,
                                               ngx_http_lago_webhook_create);

    case NGX_HTTP_LAGO_WEBHOOK_UPDATE:
        return ngx_http_lago_webhook_read_body(r,
                                               ngx_http_lago_webhook_update);

    case NGX_HTTP_LAGO_WEBHOOK_LIST:
        return ngx_http_lago_webhook_list(r, ctx);

    case NGX_HTTP_LAGO_WEBHOOK_PUBLIC_KEY:
    case NGX_HTTP_LAGO_WEBHOOK_JSON_PUBLIC_KEY:
        return ngx_http_lago_webhook_public_key_send(r,
                       ctx->action == NGX_HTTP_LAGO_WEBHOOK_JSON_PUBLIC_KEY);

    default: /* show, delete */

        if (ctx->id.len == 0) {
            return ngx_http_lago_webhook_send_error(r,
                                       NGX_HTTP_LAGO_WEBHOOK_ERR_NO_ENDPOINT);
        }

        if (ctx->action == NGX_HTTP_LAGO_WEBHOOK_SHOW) {
            rc = ngx_http_lago_webhook_store_show(r, &ctx->organization_id,
                                             &ctx->id,
                                             ngx_http_lago_webhook_shown);

        } else {
            rc = ngx_http_lago_webhook_store_delete(r, &ctx->organization_id,
                                               &ctx->id,
                                               ngx_http_lago_webhook_written);
        }

        return ngx_http_lago_webhook_waiting(r, rc);
    }
}


static ngx_int_t
ngx_http_lago_webhook_create(ngx_http_request_t *r)
{
    ngx_int_t                          rc;
    ngx_http_lago_webhook_ctx_t       *ctx;
    ngx_http_lago_webhook_input_t     *in;
    ngx_http_lago_webhook_record_t    *rec;
    ngx_http_lago_webhook_error_e      error;
    ngx_http_lago_webhook_loc_conf_t  *llcf;

    ctx = ngx_http_get_module_ctx(r, ngx_http_lago_webhook_module);
    llcf = ngx_http_get_module_loc_conf(r, ngx_http_lago_webhook_module);
    in = &ctx->input;
    rec = &ctx->record;

    error = ngx_http_lago_webhook_parse_body(r, ctx, 1);
    if (error != NGX_HTTP_LAGO_WEBHOOK_ERR_NONE) {
        return ngx_http_lago_webhook_send_error(r, error);
    }

    if (lago_webhook_uuid_v4(ctx->id_buf) != 0) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, ngx_errno,
                      "lago_webhook: getrandom() failed");
        return ngx_http_lago_webhook_send_error(r,
                                       NGX_HTTP_LAGO_WEBHOOK_ERR_INTERNAL);
    }

    rec->id.data = ctx->id_buf;
    rec->id.len = LAGO_WEBHOOK_UUID_LEN;
    rec->organization_id = ctx->organization_id;
    rec->url = in->url;

    if (in->signature_algo_present && !in->signature_algo_invalid) {
        rec->signature_algo = in->signature_algo;

    } else {
        ngx_str_set(&rec->signature_algo, "jwt");
    }

    rec->name = in->name;
    rec->name_null = !in->name_present || in->name_null;
    rec->event_types = in->event_types;
    rec->event_types_null = !in->event_types_present || in->event_types_null;
    rec->created_at = ngx_time();

    /* the store checks uniqueness and the maximum even when this input is
     * already invalid, so that the 422 lists every error at once */

    rc = ngx_http_lago_webhook_store_create(r, &ctx->organization_id, rec,
                                  llcf->max_endpoints,
                                  in->url_present && !in->url_mandatory
                                  && !in->url_too_long,
                                  ngx_http_lago_webhook_input_has_errors(in),
                                  ngx_http_lago_webhook_written);

    return ngx_http_lago_webhook_waiting(r, rc);
}


static ngx_int_t
ngx_http_lago_webhook_update(ngx_http_request_t *r)
{
    ngx_int_t                       rc;
    ngx_http_lago_webhook_ctx_t    *ctx;
    ngx_http_lago_webhook_error_e   error;

    ctx = ngx_http_get_module_ctx(r, ngx_http_lago_webhook_module);

    /* a missing root key is a 400 even for an unknown id */

    error = ngx_http_lago_webhook_parse_body(r, ctx, 0);
    if (error != NGX_HTTP_LAGO_WEBHOOK_ERR_NONE) {
        return ngx_http_lago_webhook_send_error(r, error);
    }

    if (ctx->id.len == 0) {
        return ngx_http_lago_webhook_send_error(r,
                                       NGX_HTTP_LAGO_WEBHOOK_ERR_NO_ENDPOINT);
    }

    rc = ngx_http_lago_webhook_store_update(r, &ctx->organization_id,
                           &ctx->id, &ctx->input,
                           ngx_http_lago_webhook_input_has_errors(&ctx->input),
                           ngx_http_lago_webhook_written);

    return ngx_http_lago_webhook_waiting(r, rc);
}


static ngx_int_t
ngx_http_lago_webhook_list(ngx_http_request_t *r,
    ngx_http_lago_webhook_ctx_t *ctx)
{
    ngx_int_t  rc;

    ctx->page = ngx_http_lago_webhook_page_arg(r, "page", 1, 1, 0);
    ctx->per_page = ngx_http_lago_webhook_page_arg(r, "per_page", 100, 25, 1);

    rc = ngx_http_lago_webhook_store_list(r, &ctx->organization_id,
                                          (ctx->page - 1) * ctx->per_page,
                                          ctx->per_page,
                                          ngx_http_lago_webhook_listed);

    return ngx_http_lago_webhook_waiting(r, rc);
}


/* the answer to create, update and delete */

static void
ngx_http_lago_webhook_written(ngx_http_request_t *r,
    ngx_http_lago_webhook_store_write_t *res)
{
    ngx_int_t                           rc;
    ngx_http_lago_webhook_ctx_t        *ctx;
    ngx_http_lago_webhook_conflicts_t   conflicts;

    ctx = ngx_http_get_module_ctx(r, ngx_http_lago_webhook_module);

    if (res->not_found) {
        rc = ngx_http_lago_webhook_send_error(r,
                                       NGX_HTTP_LAGO_WEBHOOK_ERR_NO_ENDPOINT);

    } else if (!res->written) {
        conflicts.duplicate_url = res->duplicate_url;
        conflicts.maximum_reached = res->maximum_reached;

        rc = ngx_http_lago_webhook_send_validation(r, &ctx->input,
                                                   &conflicts);

    } else if (ctx->action == NGX_HTTP_LAGO_WEBHOOK_CREATE) {
        rc = ngx_http_lago_webhook_send_record(r, &ctx->record);

    } else {
        /* update and delete answer with the record as stored */
        rc = ngx_http_lago_webhook_send_record(r, &res->record);
    }

    ngx_http_lago_webhook_finish(r, rc);
}


static void
ngx_http_lago_webhook_shown(ngx_http_request_t *r,
    ngx_http_lago_webhook_record_t *rec)
{
    ngx_int_t  rc;

    if (rec == NULL) {
        rc = ngx_http_lago_webhook_send_error(r,
                                       NGX_HTTP_LAGO_WEBHOOK_ERR_NO_ENDPOINT);

    } else {
        rc = ngx_http_lago_webhook_send_record(r, rec);
    }

    ngx_http_lago_webhook_finish(r, rc);
}


static void
ngx_http_lago_webhook_listed(ngx_http_request_t *r,
    ngx_http_lago_webhook_store_page_t *page)
{
    ngx_http_lago_webhook_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_lago_webhook_module);

    ngx_http_lago_webhook_finish(r, ngx_http_lago_webhook_send_list(r,
                                 page->records, page->nrecords, page->total,
                                 ctx->page, ctx->per_page));
}


/* the 400 (or 500) to send, or NGX_HTTP_LAGO_WEBHOOK_ERR_NONE */

static ngx_http_lago_webhook_error_e
ngx_http_lago_webhook_parse_body(ngx_http_request_t *r,
    ngx_http_lago_webhook_ctx_t *ctx, ngx_uint_t create)
{
    ngx_http_lago_webhook_loc_conf_t  *llcf;

    llcf = ngx_http_get_module_loc_conf(r, ngx_http_lago_webhook_module);

    switch (ngx_http_lago_webhook_body_parse(r->pool, &ctx->body, create,
                                             llcf->max_value_length,
                                             &ctx->input))
    {

    case NGX_OK:
        return NGX_HTTP_LAGO_WEBHOOK_ERR_NONE;

    case NGX_HTTP_LAGO_WEBHOOK_BODY_MALFORMED:
        return NGX_HTTP_LAGO_WEBHOOK_ERR_BAD_REQUEST;

    case NGX_HTTP_LAGO_WEBHOOK_BODY_MISSING:
        return NGX_HTTP_LAGO_WEBHOOK_ERR_PARAM_MISSING;

    default:
        return NGX_HTTP_LAGO_WEBHOOK_ERR_INTERNAL;
    }
}


/*
 * Lago's (Ruby to_i) reading of page and per_page: a leading number is
 * read ("2abc" is 2), by lago_webhook_page_number().  page below 1 is 1.
 * per_page that does not start with a digit, or is 0 (a 500 in Lago), is
 * 25.
 */

static ngx_int_t
ngx_http_lago_webhook_page_arg(ngx_http_request_t *r, char *name,
    ngx_int_t absent, ngx_int_t invalid, ngx_uint_t per_page)
{
    u_char         *p, *last;
    ngx_str_t       value;
    unsigned long   n;

    if (ngx_http_arg(r, (u_char *) name, ngx_strlen(name), &value)
        != NGX_OK)
    {
        return absent;
    }

    /* Rails reads query values percent-decoded: "%32" is 2 */

    p = ngx_pnalloc(r->pool, value.len);
    if (p == NULL) {
        return invalid;
    }

    last = p;
    ngx_unescape_uri(&last, &value.data, value.len, NGX_UNESCAPE_URI);

    n = lago_webhook_page_number(p, last - p, per_page ? 1 : 0);

    return n < 1 ? invalid : (ngx_int_t) n;
}
