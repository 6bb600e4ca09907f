
/*
 * Copyright (C) The ngx_http_lago_webhook_module authors
 * SPDX-License-Identifier: BSD-2-Clause
 */


/*
 * The access log's variables: what the request's context holds, as the
 * log phase finds it.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_lago_webhook.h"
#include "ngx_http_lago_webhook_metrics.h"
#include "ngx_http_lago_webhook_variables.h"


static ngx_int_t ngx_http_lago_webhook_variable_action(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_lago_webhook_variable_organization_id(
    ngx_http_request_t *r, ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_lago_webhook_variable_redis_time(
    ngx_http_request_t *r, ngx_http_variable_value_t *v, uintptr_t data);


static ngx_http_variable_t  ngx_http_lago_webhook_variables[] = {

    { ngx_string("lago_webhook_action"), NULL,
      ngx_http_lago_webhook_variable_action, 0,
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("lago_webhook_organization_id"), NULL,
      ngx_http_lago_webhook_variable_organization_id, 0,
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("lago_webhook_redis_time"), NULL,
      ngx_http_lago_webhook_variable_redis_time, 0,
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

      ngx_http_null_variable
};


ngx_int_t
ngx_http_lago_webhook_variables_add(ngx_conf_t *cf)
{
    ngx_http_variable_t  *var, *v;

    for (v = ngx_http_lago_webhook_variables; v->name.len; v++) {
        var = ngx_http_add_variable(cf, &v->name, v->flags);
        if (var == NULL) {
            return NGX_ERROR;
        }

        var->get_handler = v->get_handler;
        var->data = v->data;
    }

    return NGX_OK;
}


/* the action as the requests metric names it; not found outside the API */

static ngx_int_t
ngx_http_lago_webhook_variable_action(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_str_t                    *name;
    ngx_http_lago_webhook_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_lago_webhook_module);

    if (ctx == NULL) {
        v->not_found = 1;
        return NGX_OK;
    }

    name = ngx_http_lago_webhook_metrics_action_name(
                             ngx_http_lago_webhook_metrics_action(ctx->action));

    v->len = name->len;
    v->data = name->data;
    v->valid = 1;
    v->no_cacheable = 1;
    v->not_found = 0;

    return NGX_OK;
}


static ngx_int_t
ngx_http_lago_webhook_variable_organization_id(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_http_lago_webhook_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_lago_webhook_module);

    if (ctx == NULL || ctx->organization_id.len == 0) {
        v->not_found = 1;
        return NGX_OK;
    }

    v->len = ctx->organization_id.len;
    v->data = ctx->organization_id.data;
    v->valid = 1;
    v->no_cacheable = 1;
    v->not_found = 0;

    return NGX_OK;
}


/*
 * Seconds with milliseconds, like $upstream_response_time: every answer
 * waited for, and a command still awaited (a client that went away) up
 * to now.
 */

static ngx_int_t
ngx_http_lago_webhook_variable_redis_time(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    u_char                       *p;
    uint64_t                      usec, now, ms;
    ngx_http_lago_webhook_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_lago_webhook_module);

    if (ctx == NULL || !ctx->redis_sent) {
        v->not_found = 1;
        return NGX_OK;
    }

    usec = ctx->redis_time;

    if (ctx->redis_since) {
        now = ngx_http_lago_webhook_metrics_now();
        usec += (now > ctx->redis_since) ? now - ctx->redis_since : 0;
    }

    ms = (usec + 500) / 1000;

    p = ngx_pnalloc(r->pool, NGX_INT64_LEN + sizeof(".000") - 1);
    if (p == NULL) {
        return NGX_ERROR;
    }

    v->len = ngx_sprintf(p, "%uL.%03uL", ms / 1000, ms % 1000) - p;
    v->data = p;
    v->valid = 1;
    v->no_cacheable = 1;
    v->not_found = 0;

    return NGX_OK;
}
